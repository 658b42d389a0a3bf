import { memoizePrice, runBatch, SpendCap, type BatchEvent, type BatchRunResult, type BatchRunRow } from '../../batch';
import type { CacheStore } from '../../engine/cache';
import type { GenerationProvider } from '../../api/provider';
import type { AssetStore } from '../../graph/node-definition';
import type { NodeRegistry } from '../../graph/registry';
import type { JobLedger } from '../../ledger';
import { realClock } from '../../lib/clock';
import type { Manifest } from '../cli/manifest';
import { openRowOutput } from './row-output';

/** A checked batch, ready to run: what any backend gets. */
export interface BatchBackendRun {
  batchId: string;
  /** Rows to run (checked, not done earlier), in file order. */
  rows: readonly BatchRunRow[];
  /** Rows at once. */
  concurrency: number;
  /** `--max-spend`: no job starts that could take spent + in-flight maximum past it. */
  capUsd?: number;
  signal: AbortSignal;
  onEvent(event: BatchEvent): void;
}

/**
 * Where a checked batch's rows run. In-process (this file) is the default; a durable queue
 * (pg-boss on PostgreSQL, `--queue`) implements the same interface: enqueue a job per row,
 * report the same events as workers take and finish rows, write each row's folder under `--out`.
 * The command around it (checks, cost first, batch.json, progress, exit codes) is the same.
 */
export interface BatchBackend {
  readonly name: string;
  run(batch: BatchBackendRun): Promise<BatchRunResult>;
}

export interface InProcessBackendOptions {
  ledger: JobLedger;
  provider: Pick<GenerationProvider, 'priceUsd'>;
  assets: AssetStore;
  cache: CacheStore;
  registry: NodeRegistry;
  outDir: string;
  mode: Manifest['mode'];
  origin: string;
  log?(level: string, message: string, rowId: string, nodeId?: string): void;
}

/** Rows run in this process on the file ledger, behind one spend cap. */
export class InProcessBackend implements BatchBackend {
  readonly name = 'in-process';

  constructor(private readonly o: InProcessBackendOptions) {}

  run(batch: BatchBackendRun): Promise<BatchRunResult> {
    const { o } = this;
    const price = memoizePrice(async (model, signal) => o.provider.priceUsd?.(model, signal));
    const cap = new SpendCap({
      inner: o.ledger,
      ledger: o.ledger,
      priceUsd: price,
      ...(batch.capUsd !== undefined ? { capUsd: batch.capUsd } : {}),
      onChange: ({ capUsd, ...spend }) => batch.onEvent({ type: 'spend', ...spend, ...(capUsd !== undefined ? { capUsd } : {}), at: Date.now() }),
    });
    return runBatch({
      batchId: batch.batchId,
      rows: batch.rows,
      registry: o.registry,
      generation: cap,
      assets: o.assets,
      clock: realClock,
      cache: o.cache,
      concurrency: batch.concurrency,
      signal: batch.signal,
      onEvent: batch.onEvent,
      openRow: (row, workflow) =>
        openRowOutput({
          outDir: o.outDir,
          row,
          workflow,
          assets: o.assets,
          ledger: o.ledger,
          registry: o.registry,
          mode: o.mode,
          origin: o.origin,
          runId: `${batch.batchId}/${row.id}`,
        }),
      ...(o.log ? { log: o.log } : {}),
    });
  }
}
