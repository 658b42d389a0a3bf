import { z } from 'zod';

/**
 * An expected problem, as a value: validation findings, migration notes, connection refusals.
 * `severity: 'error'` blocks a run (of the nodes it concerns); `'warning'` is shown and allowed.
 */
export const zIssue = z.object({
  severity: z.enum(['error', 'warning']),
  /** Stable machine-readable code, e.g. `param-invalid`, `unknown-kind`, `cycle`. */
  code: z.string(),
  /** A sentence for people: what is wrong and what would be right. */
  message: z.string(),
  nodeId: z.string().optional(),
  edgeId: z.string().optional(),
  /** The param or port name the issue is about. */
  field: z.string().optional(),
  /** A one-click repair, when one is obvious: set param `param` of the issue's node to `value` ("Set Max images to 4"). */
  fix: z.object({ label: z.string(), param: z.string(), value: z.union([z.string(), z.number(), z.boolean()]) }).optional(),
});
export type Issue = z.infer<typeof zIssue>;

export const hasErrors = (issues: readonly Issue[]): boolean => issues.some((i) => i.severity === 'error');
