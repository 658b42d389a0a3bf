import {
  memoizePrice,
  planColumns,
  resolveRow,
  runBatch,
  SpendCap,
  type BatchEvent,
  type BatchRow,
  type BatchRunResult,
  type BatchRunRow,
  type RowOutput,
  type SpendLedger,
  type SpendState,
} from '../batch';
import type { CacheStore } from '../engine/cache';
import type { RunSummary } from '../engine';
import type { PaidGeneration } from '../graph/generation';
import type { AssetStore, OutputSink } from '../graph/node-definition';
import type { ImageRef } from '../graph/ports';
import type { NodeRegistry } from '../graph/registry';
import type { Workflow } from '../graph/workflow-schema';
import type { Clock } from '../lib/clock';
import type { BatchOutput } from './batch-record';
import { tableImages, type BatchTable } from './batch-table';

/** What a batch needs of the job ledger: paid generation, what work would cost, records, and the user's Pay-again choice. */
export interface BatchLedger extends SpendLedger, PaidGeneration {
  allowRepay(jobId: string): void;
}

/** The services a batch runs on: the editor's own ledger, cache and assets. */
export interface BatchRunDeps {
  registry: NodeRegistry;
  ledger: BatchLedger;
  priceUsd(model: string, signal?: AbortSignal): Promise<number | undefined>;
  assets: AssetStore;
  cache: CacheStore;
  clock: Clock;
  wallNow?: () => number;
}

/** A checked row to run: its cells and the fingerprint the check (or the earlier page) found. */
export interface RowToRun {
  row: BatchRow;
  fingerprint: string;
}

export interface RunRowsOptions {
  batchId: string;
  workflow: Workflow;
  table: BatchTable;
  rows: readonly RowToRun[];
  /** What may still be spent (the cap less what the batch spent before); no cap when undefined. */
  capUsd: number | undefined;
  concurrency: number;
  signal: AbortSignal;
  deps: BatchRunDeps;
  onEvent(e: BatchEvent): void;
  /** A row's delivered images (Save nodes, else previews), as it finishes. */
  onOutputs(rowId: string, outputs: BatchOutput[]): void;
  /** A row's workflow as it runs (its cells applied), before its first job. */
  onRowStart?(rowId: string, workflow: Workflow): void;
}

const EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };
const extOf = (ref: ImageRef) => (ref.kind === 'asset' ? (EXT[ref.mime] ?? 'png') : 'png');

/**
 * Runs rows through the batch core on the editor's job ledger, behind one spend cap: each paid
 * job is tagged with its row (ledger records and history say which batch and row made it), work
 * stored, cached or in flight costs nothing new, and no job starts that could take the batch past
 * the cap. Each row's Save nodes deliver into the batch (never the downloads folder), or its
 * previews when it saves nothing, as the CLI writes a row's folder.
 */
export function runRows(o: RunRowsOptions): Promise<BatchRunResult> {
  const { deps } = o;
  const columns = planColumns(
    o.workflow,
    o.table.columns.map((c) => c.id),
    deps.registry,
  );
  const images = tableImages(o.table.files);
  const runRowsList: BatchRunRow[] = o.rows.map(({ row, fingerprint }) => ({
    id: row.id,
    line: row.line,
    fingerprint,
    resolve: async (signal) => {
      const r = await resolveRow(o.workflow, columns, row, images, signal);
      if (!r.ok) throw new Error(r.problems.map((p) => p.message).join(' '));
      return r.workflow;
    },
  }));
  const cap = new SpendCap({
    inner: deps.ledger,
    ledger: deps.ledger,
    priceUsd: memoizePrice((model, signal) => deps.priceUsd(model, signal)),
    ...(o.capUsd !== undefined ? { capUsd: o.capUsd } : {}),
    onChange: (s: SpendState) =>
      o.onEvent({
        type: 'spend',
        spentUsd: s.spentUsd,
        reservedUsd: s.reservedUsd,
        ...(s.capUsd !== undefined ? { capUsd: s.capUsd } : {}),
        at: (deps.wallNow ?? Date.now)(),
      }),
  });
  return runBatch({
    batchId: o.batchId,
    rows: runRowsList,
    registry: deps.registry,
    generation: cap,
    assets: deps.assets,
    clock: deps.clock,
    ...(deps.wallNow ? { wallNow: deps.wallNow } : {}),
    cache: deps.cache,
    concurrency: o.concurrency,
    signal: o.signal,
    onEvent: o.onEvent,
    openRow: async (row, workflow) => (o.onRowStart?.(row.id, workflow), rowOutput(row.id, workflow, deps.registry, (outputs) => o.onOutputs(row.id, outputs))),
  });
}

/** One row's output: Save nodes' images collected under `<prefix>-<nn>.<ext>`; previews when nothing saves. */
function rowOutput(rowId: string, workflow: Workflow, registry: NodeRegistry, done: (outputs: BatchOutput[]) => void): RowOutput {
  const outputs: BatchOutput[] = [];
  const counts = new Map<string, number>();
  const add = (prefix: string, list: readonly ImageRef[]) =>
    list.map((image) => {
      const n = (counts.get(prefix) ?? 0) + 1;
      counts.set(prefix, n);
      const file = `${prefix.replace(/[^A-Za-z0-9._-]+/g, '_') || 'image'}-${String(n).padStart(2, '0')}.${extOf(image)}`;
      outputs.push({ file, image });
      return file;
    });
  const sink: OutputSink = { save: async (list, { prefix }) => add(prefix, list) };
  return {
    sink,
    async finish({ summary }) {
      if (outputs.length === 0) for (const { nodeId, images } of previewImages(summary, workflow, registry)) add(nodeId, images);
      done(outputs);
      return outputs.map((x) => `${rowId}/${x.file}`);
    },
  };
}

function previewImages(summary: RunSummary, workflow: Workflow, registry: NodeRegistry): { nodeId: string; images: ImageRef[] }[] {
  const found: { nodeId: string; images: ImageRef[] }[] = [];
  for (const node of workflow.nodes) {
    const o = summary.nodes.get(node.id);
    if (registry.get(node.kind)?.traits?.sink !== 'preview' || !o || (o.status !== 'done' && o.status !== 'cached')) continue;
    const images = o.outputs.images;
    if (Array.isArray(images)) found.push({ nodeId: node.id, images: images as ImageRef[] });
  }
  return found;
}
