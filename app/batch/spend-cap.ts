import type { GenerationCallOptions, GenerationRequest, GenerationResult, PaidGeneration } from '../graph/generation';
import { billingOf, type JobRecord, type WorkStatus } from '../ledger';
import { abortReason } from '../lib/clock';

/** What the cap reads from the job ledger (JobLedger has both). */
export interface SpendLedger {
  lookup(cacheKey: string): Promise<WorkStatus>;
  get(jobId: string): Promise<JobRecord | undefined>;
}

/** Money counted by the cap, in USD. */
export interface SpendState {
  /** What settled jobs cost: their reported cost, or their maximum when it is unknown or they may have been billed. */
  spentUsd: number;
  /** The maximum of every job in flight that may pay. */
  reservedUsd: number;
  capUsd: number | undefined;
}

/** Paid generation for one batch row, counting what the row's new jobs cost. */
export interface RowGeneration extends PaidGeneration {
  spentUsd(): number;
}

/** A job the cap refused to start: it could take the batch past `--max-spend`. */
export class SpendCapError extends Error {
  readonly code = 'spend-cap';
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'SpendCapError';
  }
}

/**
 * Where the cap's money is counted: in this process (`MemorySpendBook`), or in a database every
 * worker of a queue shares (app/server/pg). A reservation is all-or-nothing: it is made only if
 * spent + every reservation + it stays within the cap, in one step, so two processes can never
 * both take the last room.
 */
export interface SpendBook {
  /**
   * Reserves `maxUsd` if it fits under the cap (always, without one). Otherwise returns the
   * counts that kept it out and `changed`, which resolves once a reservation may have been
   * settled since this answer (room may have been made) and rejects when its signal aborts.
   */
  reserve(maxUsd: number): Promise<{ ok: true; ticket: string } | { ok: false; state: SpendState; changed(signal: AbortSignal): Promise<void> }>;
  /** The reserved job settled: its reservation goes and `costUsd` is counted as spent. */
  settle(ticket: string, costUsd: number): Promise<void>;
  /** The counts as last known here. */
  state(): SpendState;
}

const round = (usd: number) => Math.round(usd * 1e6) / 1e6;
const usd = (x: number) => `$${x.toFixed(x !== 0 && x < 0.01 ? 3 : 2)}`;

/** The spend book of one process: plain numbers, and waiters woken by each settle. */
export class MemorySpendBook implements SpendBook {
  private spent = 0;
  private reserved = 0;
  private next = 0;
  private settles = 0;
  private readonly open = new Map<string, number>();
  private readonly waiters = new Set<() => void>();

  constructor(private readonly capUsd?: number) {}

  async reserve(maxUsd: number): Promise<{ ok: true; ticket: string } | { ok: false; state: SpendState; changed(signal: AbortSignal): Promise<void> }> {
    if (this.capUsd !== undefined && this.spent + this.reserved + maxUsd > this.capUsd + 1e-9) {
      const seen = this.settles;
      return { ok: false, state: this.state(), changed: (signal) => this.changedSince(seen, signal) };
    }
    const ticket = String(++this.next);
    this.open.set(ticket, maxUsd);
    this.reserved += maxUsd;
    return { ok: true, ticket };
  }

  async settle(ticket: string, costUsd: number): Promise<void> {
    const maxUsd = this.open.get(ticket);
    if (maxUsd === undefined) return;
    this.open.delete(ticket);
    this.reserved -= maxUsd;
    this.spent += costUsd;
    this.settles++;
    for (const w of [...this.waiters]) w();
  }

  state(): SpendState {
    return { spentUsd: round(this.spent), reservedUsd: round(this.reserved), capUsd: this.capUsd };
  }

  /** Resolves at the first settle after the `seen`-th (at once if one came meanwhile). */
  private changedSince(seen: number, signal: AbortSignal): Promise<void> {
    if (this.settles !== seen) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        this.waiters.delete(done);
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        this.waiters.delete(done);
        reject(abortReason(signal));
      };
      if (signal.aborted) return onAbort();
      this.waiters.add(done);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** What one row has spent so far, and which batch row it is (none for a job outside a batch). */
interface RowSpend {
  usd: number;
  batch?: { batchId: string; rowId: string };
  /** Jobs already counted for the row: two of its nodes doing the same work share one job, paid once. */
  jobs: Set<string>;
}

export interface SpendCapOptions {
  inner: PaidGeneration;
  ledger: SpendLedger;
  /** USD per output for a model, undefined when unknown (then a capped job is refused: its maximum cannot be known). */
  priceUsd(model: string, signal?: AbortSignal): Promise<number | undefined>;
  /** No cap when undefined: spending is still counted. Ignored when `book` is given (the book holds the cap). */
  capUsd?: number;
  /** Where spending is counted (default: in this process, under `capUsd`). */
  book?: SpendBook;
  onChange?(state: SpendState): void;
}

/**
 * A `PaidGeneration` that keeps a batch under its spend cap. Before a job that would pay (the
 * ledger says `none`: nothing stored, running or blocked), it reserves price × max outputs, and
 * never starts a job while spent + every reservation + this one could pass the cap: it waits for
 * jobs in flight to settle when that could make room, and refuses (SpendCapError) when it
 * cannot. After a job it counts the cost the provider reported, else the reserved maximum; $0
 * only when nothing new was paid (reused) or the ledger says "not billed", so the count errs
 * high, never low.
 */
export class SpendCap implements PaidGeneration {
  private readonly book: SpendBook;

  constructor(private readonly o: SpendCapOptions) {
    this.book = o.book ?? new MemorySpendBook(o.capUsd);
  }

  state(): SpendState {
    return this.book.state();
  }

  /** The same cap for one batch row: its jobs are tagged with the row (ledger records, history) and its spending counted apart. */
  forRow(batch: { batchId: string; rowId: string }): RowGeneration {
    const row: RowSpend = { usd: 0, batch, jobs: new Set() };
    return {
      generate: (request, options) => this.run(request, { ...options, job: { ...options.job, batch } }, row),
      spentUsd: () => round(row.usd),
    };
  }

  generate(request: GenerationRequest, options: GenerationCallOptions): Promise<GenerationResult> {
    return this.run(request, options, { usd: 0, jobs: new Set() });
  }

  private async run(request: GenerationRequest, options: GenerationCallOptions, row: RowSpend): Promise<GenerationResult> {
    const status = await this.o.ledger.lookup(options.job.cacheKey);
    // Stored, partial and in-flight work costs nothing new; blocked work is refused by the ledger itself.
    if (status.kind !== 'none') {
      const result = await this.o.inner.generate(request, options);
      // A job this same row submitted in an earlier run of the batch (stopped, then collected now): nothing
      // new is paid, so the cap is not charged, but its cost is still the row's — the row's earlier entry in
      // batch.json is replaced by this one, and would otherwise leave a billed job out of the batch's cost.
      const earlier = status.record;
      if (earlier && row.batch && earlier.batch?.batchId === row.batch.batchId && earlier.batch.rowId === row.batch.rowId && !row.jobs.has(earlier.jobId)) {
        row.jobs.add(earlier.jobId);
        row.usd += result.costUsd ?? round(((await this.o.priceUsd(request.model, options.signal).catch(() => undefined)) ?? 0) * request.maxOutputs);
      }
      return result;
    }
    const { maxUsd, ticket } = await this.reserve(request, options.signal);
    let jobId: string | undefined;
    const onProgress: GenerationCallOptions['onProgress'] = (detail, message) => {
      if (detail.jobId) {
        jobId = detail.jobId;
        row.jobs.add(jobId);
      }
      options.onProgress?.(detail, message);
    };
    let cost = maxUsd;
    try {
      const result = await this.o.inner.generate(request, { ...options, onProgress });
      cost = result.reused ? 0 : (result.costUsd ?? maxUsd);
      return result;
    } catch (e) {
      cost = await this.costOfFailure(jobId, maxUsd);
      throw e;
    } finally {
      row.usd += cost;
      // A settle that fails (the database went away) keeps the reservation: the count errs high, never low.
      await this.book.settle(ticket, cost).catch(() => undefined);
      this.o.onChange?.(this.state());
    }
  }

  private async reserve(request: GenerationRequest, signal: AbortSignal): Promise<{ maxUsd: number; ticket: string }> {
    const cap = this.book.state().capUsd;
    const price = await this.o.priceUsd(request.model, signal);
    if (price === undefined && cap !== undefined) {
      throw new SpendCapError(`Not submitted: the price of ${request.model} is unknown, so a job cannot be kept under the --max-spend cap of ${usd(cap)}.`);
    }
    const maxUsd = round((price ?? 0) * request.maxOutputs);
    for (;;) {
      if (signal.aborted) throw abortReason(signal);
      const r = await this.book.reserve(maxUsd);
      if (r.ok) {
        this.o.onChange?.(this.state());
        return { maxUsd, ticket: r.ticket };
      }
      const { spentUsd, reservedUsd, capUsd = Infinity } = r.state;
      if (spentUsd + maxUsd > capUsd + 1e-9 || reservedUsd <= 1e-9) {
        throw new SpendCapError(
          `Not submitted: this job could cost up to ${usd(maxUsd)} (${request.maxOutputs} image(s)), and ${usd(spentUsd)} is spent of the ${usd(capUsd)} cap (--max-spend). Raise the cap to run it.`,
        );
      }
      // Jobs in flight may cost less than reserved (or nothing): wait for one to settle, then look again.
      await r.changed(signal);
    }
  }

  private async costOfFailure(jobId: string | undefined, maxUsd: number): Promise<number> {
    // No job id seen: the ledger never recorded an intent, so nothing was sent.
    if (!jobId) return 0;
    const record = await this.o.ledger.get(jobId).catch(() => undefined);
    return record && billingOf(record) === 'not-billed' ? 0 : (record?.costUsd ?? maxUsd);
  }
}
