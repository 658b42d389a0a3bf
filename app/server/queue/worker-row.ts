import { z } from 'zod';
import { memoizePrice, runBatch, SpendCap, type BatchEvent } from '../../batch';
import type { GenerationProvider } from '../../api/provider';
import type { EstimateDeps } from '../../engine/estimate-cost';
import type { AssetStore, OutputSink } from '../../graph/node-definition';
import { zImageRef, type ImageRef } from '../../graph/ports';
import type { NodeRegistry } from '../../graph/registry';
import type { Workflow } from '../../graph/workflow-schema';
import type { JobLedger } from '../../ledger';
import type { Clock } from '../../lib/clock';
import { requestsOf, writePreviews } from '../batch/row-output';
import { buildManifest, type Manifest } from '../cli/manifest';
import { extensionOf } from '../file-asset-store';
import type { Pool } from 'pg';
import { PgSpendBook } from '../pg/pg-spend-book';
import { PgWorkLock } from '../pg/pg-work-lock';
import { noteRowJob, type ClaimedRow, type RowFinish } from './row-claims';

/** One Save (or preview) call of a row, as the worker records it: the coordinator writes it with the sink a single run uses. */
export const zRowSave = z.object({ nodeId: z.string(), prefix: z.string(), images: z.array(zImageRef) });
export type RowSave = z.infer<typeof zRowSave>;

/**
 * Save nodes on a worker: nothing is written to this machine's disk. Each call is recorded
 * (node, prefix, stored images) for `batch_rows.saves`; the names returned are the ones the
 * coordinator's folder will have (numbered like `FileOutputSink` in a fresh folder).
 */
export class RecordingSink implements OutputSink {
  readonly saves: RowSave[] = [];
  private readonly taken = new Set<string>();

  async save(images: readonly ImageRef[], options: { nodeId: string; prefix: string; signal: AbortSignal }): Promise<string[]> {
    options.signal.throwIfAborted();
    this.saves.push({ nodeId: options.nodeId, prefix: options.prefix, images: [...images] });
    const names: string[] = [];
    let n = 1;
    for (const ref of images) {
      const ext = extensionOf(ref.kind === 'asset' ? ref.mime : 'image/png');
      let name: string;
      do name = `${options.prefix}_${String(n++).padStart(5, '0')}.${ext}`;
      while (this.taken.has(name));
      this.taken.add(name);
      names.push(name);
    }
    return names;
  }
}

export interface WorkerRowDeps {
  pool: Pool;
  ledger: JobLedger;
  provider: Pick<GenerationProvider, 'priceUsd' | 'endpoint'>;
  assets: AssetStore;
  registry: NodeRegistry;
  clock: Clock;
  workerId: string;
  /** Work-lock lease (database time). */
  leaseMs: number;
  /** The model's price per image; the worker keeps one for all its rows (see QueueWorker), else it is read once per row. */
  price?: EstimateDeps['priceUsd'];
  log?(level: string, message: string, rowId: string, nodeId?: string): void;
}

/**
 * Runs one claimed row with the same runner as an in-process batch (`runBatch`, one row): the
 * row's workflow from the database, its paid jobs through the batch's cap in PostgreSQL, the
 * cross-machine work lock and this worker's ledger; images stay in the PostgreSQL asset store
 * and the Save calls are recorded, not written. Each job id and request id is written to the
 * row as soon as it is known. Resolves with what the row's final write needs.
 */
export async function runWorkerRow(d: WorkerRowDeps, claimed: ClaimedRow, token: string, signal: AbortSignal): Promise<RowFinish> {
  for (const jobId of claimed.repayJobIds) d.ledger.allowRepay(jobId);
  const cap = new SpendCap({
    inner: new PgWorkLock({ pool: d.pool, inner: d.ledger, endpoint: d.provider.endpoint, holder: d.workerId, leaseMs: d.leaseMs, clock: d.clock }),
    ledger: d.ledger,
    priceUsd: d.price ?? memoizePrice(async (model, s) => d.provider.priceUsd?.(model, s)),
    book: new PgSpendBook(d.pool, { batchId: claimed.batchId, rowId: claimed.rowId, attemptToken: token }, { clock: d.clock }),
  });
  const sink = new RecordingSink();
  let manifest: Manifest | undefined;
  let done: Extract<BatchEvent, { type: 'row-done' }> | undefined;
  const notes: Promise<void>[] = [];
  const startedAt = new Date();
  const runId = `${claimed.batchId}/${claimed.rowId}`;
  await runBatch({
    batchId: claimed.batchId,
    rows: [{ id: claimed.rowId, line: claimed.line, fingerprint: claimed.fingerprint, resolve: async () => claimed.workflow as Workflow }],
    registry: d.registry,
    generation: cap,
    assets: d.assets,
    clock: d.clock,
    concurrency: 1,
    signal,
    openRow: async () => ({
      sink,
      async finish({ summary, workflow, interrupted, jobIds }) {
        if (summary.status === 'succeeded' && !workflow.nodes.some((n) => d.registry.get(n.kind)?.traits?.sink === 'save')) {
          await writePreviews(summary, workflow, sink, d.registry);
        }
        manifest = buildManifest({
          summary,
          workflow,
          origin: `${claimed.origin} (batch row ${claimed.rowId}, line ${claimed.line})`,
          mode: claimed.mode === 'simulator' ? 'simulator' : 'runcomfy',
          startedAt,
          durationMs: Date.now() - startedAt.getTime(),
          requests: await requestsOf(summary, jobIds, d.ledger, runId),
          registry: d.registry,
          files: [],
          ...(interrupted ? { statusOverride: 'aborted' as const } : {}),
        });
        return [];
      },
    }),
    onEvent: (e) => {
      if (e.type === 'row-job')
        notes.push(
          noteRowJob(d.pool, token, e.jobId, e.requestId).catch((err) => d.log?.('warn', `could not record job ${e.jobId}: ${String(err)}`, claimed.rowId)),
        );
      if (e.type === 'row-done') done = e;
    },
    ...(d.log ? { log: d.log } : {}),
  });
  await Promise.all(notes);
  if (!done) throw new Error(`Row ${claimed.rowId} ended without an outcome.`);
  const outcome: Extract<BatchEvent, { type: 'row-done' }> = done;
  return {
    status: outcome.status,
    ...(outcome.error ? { error: outcome.error } : {}),
    saves: sink.saves,
    manifest: manifest ?? null,
    jobIds: outcome.jobIds,
    requestIds: outcome.requestIds,
  };
}
