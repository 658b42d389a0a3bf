import { z } from 'zod';

/** The schema version this build writes. Older files are migrated (see migrations.ts). */
export const CURRENT_SCHEMA_VERSION = 2;

/** Node and edge ids: short, printable, safe in file names and DOM ids. */
export const zId = z
  .string()
  .min(1, 'an id cannot be empty')
  .max(64, 'an id is at most 64 characters')
  .regex(/^[A-Za-z0-9_.:-]+$/, 'an id uses only letters, digits and _ . : -');

export const zPosition = z.object({ x: z.number().finite(), y: z.number().finite() });

/** Longest string a param may hold: prompts and URLs fit; inlined image data does not. */
export const MAX_PARAM_STRING = 16_384;

/** A saved node instance: what the file holds. Ports, labels and defaults come from the registry. */
export const zWorkflowNode = z.object({
  id: zId,
  /** Namespaced, stable node kind, e.g. `seedream.edit-sequential`. */
  kind: z.string().min(1).max(100),
  /** The version of the kind's contract the params were written for. */
  kindVersion: z.number().int().min(1),
  /** Raw params; validated against the kind's schema by the planner, not here. */
  params: z.record(z.string(), z.unknown()).default({}),
  position: zPosition,
  /** Optional user-given title shown instead of the kind's title. */
  title: z.string().max(200).optional(),
});
export type WorkflowNode = z.infer<typeof zWorkflowNode>;

export const zPortRef = z.object({ node: zId, port: z.string().min(1).max(64) });
export type PortRef = z.infer<typeof zPortRef>;

export const zWorkflowEdge = z.object({
  id: zId,
  source: zPortRef,
  target: zPortRef,
  /** Position among the links of a `multiple` input (ascending); ties keep file order. */
  order: z.number().int().min(0).optional(),
});
export type WorkflowEdge = z.infer<typeof zWorkflowEdge>;

export const zWorkflowMeta = z
  .object({
    name: z.string().max(200).optional(),
    description: z.string().max(5_000).optional(),
    createdAt: z.string().optional(),
    updatedAt: z.string().optional(),
    /** Free-form extra data from other tools is kept, not dropped. */
  })
  .catchall(z.unknown());
export type WorkflowMeta = z.infer<typeof zWorkflowMeta>;

/** A saved workflow at the current schema version. */
export const zWorkflow = z
  .object({
    schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
    nodes: z.array(zWorkflowNode),
    edges: z.array(zWorkflowEdge),
    meta: zWorkflowMeta.default({}),
  })
  .superRefine((wf, ctx) => {
    const seen = new Set<string>();
    wf.nodes.forEach((n, i) => {
      if (seen.has(n.id)) {
        ctx.addIssue({ code: 'custom', path: ['nodes', i, 'id'], message: `duplicate node id "${n.id}"` });
      }
      seen.add(n.id);
      for (const [key, value] of Object.entries(n.params)) {
        const bad = findInlinedData(value);
        if (bad) {
          ctx.addIssue({
            code: 'custom',
            path: ['nodes', i, 'params', key],
            message: `${bad}: images are referenced by https URL or asset id, never inlined in the workflow`,
          });
        }
      }
    });
    const edgeIds = new Set<string>();
    wf.edges.forEach((e, i) => {
      if (edgeIds.has(e.id)) {
        ctx.addIssue({ code: 'custom', path: ['edges', i, 'id'], message: `duplicate edge id "${e.id}"` });
      }
      edgeIds.add(e.id);
    });
  });
export type Workflow = z.infer<typeof zWorkflow>;

function findInlinedData(value: unknown, depth = 0): string | undefined {
  if (depth > 8) return undefined;
  if (typeof value === 'string') {
    if (/^data:/i.test(value)) return 'a data: URI';
    if (value.length > MAX_PARAM_STRING) return `a string of ${value.length} characters (max ${MAX_PARAM_STRING})`;
    return undefined;
  }
  if (Array.isArray(value)) {
    for (const v of value) {
      const bad = findInlinedData(v, depth + 1);
      if (bad) return bad;
    }
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) {
      const bad = findInlinedData(v, depth + 1);
      if (bad) return bad;
    }
  }
  return undefined;
}

/** An empty workflow at the current version. */
export function emptyWorkflow(meta: WorkflowMeta = {}): Workflow {
  return { schemaVersion: CURRENT_SCHEMA_VERSION, nodes: [], edges: [], meta };
}
