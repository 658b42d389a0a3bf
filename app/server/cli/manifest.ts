import { z } from 'zod';
import type { NodeOutcome, RunSummary } from '../../engine/events';
import type { NodeRegistry } from '../../graph/registry';
import type { Workflow } from '../../graph/workflow-schema';
import type { SavedFile } from '../file-output-sink';

/** One paid job this run made or reused, as the ledger has it. */
export const zRequestRecord = z.object({
  nodeId: z.string(),
  jobId: z.string(),
  /** Absent while an intent's submit never answered (an unknown submission). */
  requestId: z.string().optional(),
  /** The ledger's state: stored, partial (stored with images missing), running, unknown-submission, … */
  state: z.string(),
  /** not-billed | pending | billed | may-be-billed | unknown — "not billed" only when the API said so. */
  billing: z.string(),
  partial: z.boolean().optional(),
  costUsd: z.number().optional(),
  outputUrls: z.array(z.string()).default([]),
  /** Outputs whose bytes could not be fetched; a re-run with the same --cache-dir fetches them for free. */
  missing: z.array(z.object({ index: z.number(), url: z.string(), reason: z.string() })).optional(),
  inputs: z.record(z.string(), z.unknown()).optional(),
  message: z.string().optional(),
  /** Made (and paid for) by an earlier run: reused here at $0. */
  reused: z.boolean().optional(),
});
export type RequestRecord = z.infer<typeof zRequestRecord>;

/** `manifest.json`: everything a person or a script needs to find and trust the outputs. */
export const zManifest = z.object({
  manifestVersion: z.literal(2),
  /** `blocked`: nothing was run, earlier attempts need --repay (jobs already submitted were still collected). */
  status: z.enum(['succeeded', 'failed', 'aborted', 'invalid', 'blocked']),
  mode: z.enum(['simulator', 'runcomfy']),
  workflow: z.object({ origin: z.string(), name: z.string().optional() }),
  startedAt: z.string(),
  durationMs: z.number(),
  totalCostUsd: z.number().optional(),
  requests: z.array(zRequestRecord),
  files: z.array(
    z.object({
      file: z.string(),
      nodeId: z.string(),
      index: z.number(),
      assetId: z.string().optional(),
      sourceUrl: z.string().optional(),
      /** The workflow beside a JPEG/WebP file (PNGs carry it inside). */
      sidecar: z.string().optional(),
    }),
  ),
  nodes: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      /** How the editor names the node: the title the user gave it, else its kind's. */
      title: z.string().optional(),
      status: z.string(),
      /** Why a skipped node did not run: muted, bypassed (its input passed on), upstream-failed, aborted, invalid. */
      reason: z.string().optional(),
      cacheKey: z.string().optional(),
      error: z.object({ code: z.string(), message: z.string(), field: z.string().optional(), requestId: z.string().optional() }).optional(),
    }),
  ),
  issues: z.array(z.object({ severity: z.string(), code: z.string(), message: z.string(), nodeId: z.string().optional() })),
});
export type Manifest = z.infer<typeof zManifest>;

export interface ManifestInput {
  summary: RunSummary | undefined;
  workflow: Workflow;
  origin: string;
  mode: Manifest['mode'];
  startedAt: Date;
  durationMs: number;
  requests: RequestRecord[];
  files: SavedFile[];
  statusOverride?: Manifest['status'];
  /** For the nodes' titles when they have none of their own (their kind's). */
  registry?: NodeRegistry;
}

/** Builds the manifest from a run's outcome and what the CLI tracked on the side. */
export function buildManifest(m: ManifestInput): Manifest {
  const costs = m.requests
    .filter((r) => !r.reused)
    .map((r) => r.costUsd)
    .filter((c): c is number => c !== undefined);
  const byId = new Map(m.workflow.nodes.map((n) => [n.id, n]));
  const titleOf = (id: string) => {
    const node = byId.get(id);
    return node?.title ?? (node ? m.registry?.get(node.kind)?.title : undefined);
  };
  const outcomes: [string, NodeOutcome][] = m.summary ? [...m.summary.nodes] : [];
  return {
    manifestVersion: 2,
    status: m.statusOverride ?? m.summary?.status ?? 'failed',
    mode: m.mode,
    workflow: { origin: m.origin, ...(m.workflow.meta.name ? { name: m.workflow.meta.name } : {}) },
    startedAt: m.startedAt.toISOString(),
    durationMs: Math.round(m.durationMs),
    ...(costs.length ? { totalCostUsd: Math.round(costs.reduce((a, b) => a + b, 0) * 1e6) / 1e6 } : {}),
    requests: m.requests,
    files: m.files.map((f) => ({ ...f })),
    nodes: outcomes.map(([id, o]) => ({
      id,
      kind: byId.get(id)?.kind ?? 'unknown',
      ...(titleOf(id) !== undefined ? { title: titleOf(id) } : {}),
      status: o.status,
      ...(o.status === 'skipped' ? { reason: o.reason } : {}),
      ...(o.status === 'done' || o.status === 'cached' ? { cacheKey: o.cacheKey } : {}),
      ...(o.status === 'failed'
        ? {
            error: {
              code: o.error.code,
              message: o.error.message,
              ...(o.error.field ? { field: o.error.field } : {}),
              ...(o.error.requestId ? { requestId: o.error.requestId } : {}),
            },
          }
        : {}),
    })),
    issues: (m.summary?.issues ?? []).map((i) => ({ severity: i.severity, code: i.code, message: i.message, ...(i.nodeId ? { nodeId: i.nodeId } : {}) })),
  };
}
