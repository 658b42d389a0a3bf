import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RowOutput } from '../../batch';
import type { RunSummary } from '../../engine';
import { readJobMeta } from '../../graph/generation';
import type { AssetStore, OutputSink } from '../../graph/node-definition';
import type { NodeRegistry } from '../../graph/registry';
import type { Workflow } from '../../graph/workflow-schema';
import { billingOf, type JobLedger, type JobRecord } from '../../ledger';
import { buildManifest, type Manifest, type RequestRecord } from '../cli/manifest';
import { FileOutputSink } from '../file-output-sink';
import { writeFileAtomic } from './batch-file';

export interface RowOutputOptions {
  outDir: string;
  row: { id: string; line: number };
  workflow: Workflow;
  assets: AssetStore;
  ledger: Pick<JobLedger, 'get'>;
  registry: NodeRegistry;
  mode: Manifest['mode'];
  /** The batch's source (template or file) for the manifest. */
  origin: string;
  /** The run id the row's jobs are recorded under: jobs of another run are marked reused. */
  runId: string;
  /** Wall clock (tests). */
  now?: () => number;
}

/**
 * One row's folder, `<out>/<row id>/`: its images (Save nodes, or previews when nothing saves,
 * as a single run writes them) with the workflow inside each PNG, and the same manifest.json a
 * single run writes. Files are listed as `<row id>/<file>`.
 */
export async function openRowOutput(o: RowOutputOptions): Promise<RowOutput> {
  const dir = join(o.outDir, o.row.id);
  await mkdir(dir, { recursive: true });
  const now = o.now ?? Date.now;
  const startedAt = new Date(now());
  const sink = new FileOutputSink(dir, o.assets, { workflow: o.workflow });
  return {
    sink,
    async finish({ summary, workflow, interrupted, jobIds }) {
      if (summary.status === 'succeeded' && !workflow.nodes.some((n) => o.registry.get(n.kind)?.traits?.sink === 'save')) {
        await writePreviews(summary, workflow, sink, o.registry);
      }
      const manifest = buildManifest({
        summary,
        workflow,
        origin: `${o.origin} (batch row ${o.row.id}, line ${o.row.line})`,
        mode: o.mode,
        startedAt,
        durationMs: now() - startedAt.getTime(),
        requests: await requestsOf(summary, jobIds, o.ledger, o.runId),
        registry: o.registry,
        files: sink.saved,
        ...(interrupted ? { statusOverride: 'aborted' as const } : {}),
      });
      await writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      return sink.saved.map((f) => `${o.row.id}/${f.file}`);
    },
  };
}

/** Writes the images of preview nodes when a run has no Save node (as a single run does). */
export async function writePreviews(summary: RunSummary, workflow: Workflow, sink: OutputSink, registry: NodeRegistry): Promise<void> {
  const signal = new AbortController().signal;
  for (const node of workflow.nodes) {
    const o = summary.nodes.get(node.id);
    if (registry.get(node.kind)?.traits?.sink !== 'preview' || !o || (o.status !== 'done' && o.status !== 'cached')) continue;
    const images = o.outputs.images;
    if (Array.isArray(images)) await sink.save(images, { nodeId: node.id, prefix: node.id, signal });
  }
}

/** One manifest entry per job of the row: from node results, and jobs seen in progress (an interrupted row's jobs in flight). */
export async function requestsOf(
  summary: RunSummary,
  jobIds: readonly string[],
  ledger: Pick<JobLedger, 'get'> & Partial<Pick<JobLedger, 'recentRecord'>>,
  runId: string,
): Promise<RequestRecord[]> {
  const found = new Map<string, { nodeId?: string; cached: boolean }>();
  for (const [nodeId, o] of summary.nodes) {
    const job = o.status === 'done' || o.status === 'cached' ? readJobMeta(o.meta) : undefined;
    if (job) found.set(job.jobId, { nodeId, cached: o.status === 'cached' || job.reused });
  }
  for (const id of jobIds) if (!found.has(id)) found.set(id, { cached: false });
  const out: RequestRecord[] = [];
  for (const [jobId, seen] of found) {
    // The run just followed its jobs here: their records are in memory (no store read per job).
    const r = ledger.recentRecord?.(jobId) ?? (await ledger.get(jobId).catch(() => undefined));
    if (r) out.push(requestRecord(r, seen.nodeId ?? r.nodeId, seen.cached || r.runId !== runId));
  }
  return out;
}

function requestRecord(r: JobRecord, nodeId: string, reused: boolean): RequestRecord {
  const missing = r.outputs.filter((x) => x.assetId === undefined).map((x) => ({ index: x.index, url: x.url, reason: x.error ?? 'not fetched' }));
  return {
    nodeId,
    jobId: r.jobId,
    ...(r.requestId ? { requestId: r.requestId } : {}),
    state: r.state === 'stored' && r.partial ? 'partial' : r.state,
    billing: billingOf(r),
    ...(r.partial ? { partial: true } : {}),
    ...(r.costUsd !== undefined ? { costUsd: r.costUsd } : {}),
    outputUrls: r.outputs.map((x) => x.url),
    ...(missing.length && r.outputs.length ? { missing } : {}),
    inputs: { prompt: r.sent.prompt, references: r.referenceHashes.length, ...r.sent.params },
    ...(r.error?.message || r.note ? { message: r.error?.message ?? r.note } : {}),
    ...(reused ? { reused: true } : {}),
  };
}
