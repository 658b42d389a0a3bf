import { zipSync, type Zippable } from 'fflate';
import type { BatchSummary } from '../../batch';
import type { ImageRef } from '../../graph/ports';
import { embedWorkflowInPng } from '../../graph/workflow-png';
import type { Workflow } from '../../graph/workflow-schema';
import { billingOf, type JobRecord } from '../../ledger';
import type { BatchOutput, BatchTableRow } from '../../store/batch-record';
import type { BatchColumn } from '../../store/batch-table';

export interface BatchZipInput {
  summary: BatchSummary;
  /** The template every row filled in (`template.json`). */
  workflow: Workflow;
  columns: readonly BatchColumn[];
  rows: readonly BatchTableRow[];
  outputs: Readonly<Record<string, readonly BatchOutput[]>>;
  /** The workflow a row ran: embedded in its PNGs, as Save does. */
  rowWorkflow(rowId: string): Promise<Workflow | undefined>;
  jobs(jobIds: readonly string[]): Promise<JobRecord[]>;
  bytesOf(ref: ImageRef): Promise<Uint8Array>;
}

const encode = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

/** A cell as the manifest says it: images by name and asset id (or URL), other values as they are. */
function cellText(value: unknown): unknown {
  if (value && typeof value === 'object' && 'kind' in value) {
    const ref = value as ImageRef;
    return ref.kind === 'asset' ? { image: ref.name ?? ref.assetId, assetId: ref.assetId } : { image: ref.url };
  }
  return value;
}

function jobEntry(r: JobRecord, titles: ReadonlyMap<string, string>) {
  const nodeTitle = titles.get(r.nodeId);
  return {
    jobId: r.jobId,
    nodeId: r.nodeId,
    ...(nodeTitle ? { nodeTitle } : {}),
    ...(r.requestId ? { requestId: r.requestId } : {}),
    state: r.state === 'stored' && r.partial ? 'partial' : r.state,
    billing: billingOf(r),
    ...(r.costUsd !== undefined ? { costUsd: r.costUsd } : {}),
    outputUrls: r.outputs.map((o) => o.url),
    ...(r.error?.message ? { message: r.error.message } : {}),
  };
}

/**
 * The whole batch as one zip, as the CLI writes `--out`: a folder per row (`<row id>/`) with the
 * images it delivered (PNGs carry the graph the row ran) and its `manifest.json` (status, cells,
 * every job with its request id, state, billing and cost, files, and images whose bytes are
 * gone), plus `batch.json` (the summary of every row) and `template.json` at the top.
 */
export async function batchZip(o: BatchZipInput): Promise<Uint8Array> {
  const files: Zippable = {};
  const cellsOf = new Map(o.rows.map((r) => [r.id, r.cells] as const));
  // Nodes are named in manifests as in the editor: by the title the user gave them.
  const titles = new Map(o.workflow.nodes.flatMap((n) => (n.title ? [[n.id, n.title] as const] : [])));
  const listed: BatchSummary['rows'] = [];
  for (const row of o.summary.rows) {
    const workflow = row.status === 'succeeded' ? await o.rowWorkflow(row.id) : undefined;
    const written: string[] = [];
    const missing: { file: string; reason: string }[] = [];
    for (const out of o.outputs[row.id] ?? []) {
      const name = `${row.id}/${out.file}`;
      try {
        let bytes = await o.bytesOf(out.image);
        if (workflow && out.image.kind === 'asset' && out.image.mime === 'image/png') {
          const embedded = embedWorkflowInPng(bytes, workflow);
          if (embedded.ok) bytes = embedded.bytes;
        }
        files[name] = [bytes, { level: 0 }];
        written.push(name);
      } catch (err) {
        missing.push({ file: out.file, reason: err instanceof Error ? err.message : String(err) });
      }
    }
    const cells = cellsOf.get(row.id) ?? {};
    const manifest = {
      rowId: row.id,
      line: row.line,
      status: row.status,
      ...(row.error ? { error: row.error } : {}),
      cells: Object.fromEntries(o.columns.filter((c) => cells[c.id] !== undefined).map((c) => [c.id, cellText(cells[c.id])])),
      costUsd: row.costUsd,
      ...(row.maxCostUsd !== undefined ? { maxCostUsd: row.maxCostUsd } : {}),
      requestIds: row.requestIds,
      jobs: (await o.jobs(row.jobIds)).map((r) => jobEntry(r, titles)),
      files: written.map((f) => f.slice(row.id.length + 1)),
      ...(missing.length ? { missing } : {}),
      ...(row.startedAt ? { startedAt: row.startedAt } : {}),
      ...(row.finishedAt ? { finishedAt: row.finishedAt } : {}),
    };
    files[`${row.id}/manifest.json`] = encode(manifest);
    listed.push({ ...row, files: written });
  }
  files['batch.json'] = encode({ ...o.summary, rows: listed });
  files['template.json'] = encode(o.workflow);
  return zipSync(files);
}
