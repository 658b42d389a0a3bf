import { randomUUID } from 'node:crypto';
import type PgBoss from 'pg-boss';
import { memoizePrice } from '../../batch';
import type { EstimateDeps } from '../../engine/estimate-cost';
import type { JobLedger } from '../../ledger';
import type { Clock } from '../../lib/clock';
import { Wakeup } from '../../lib/wakeup';
import type { RowJobData } from './boss';
import { claimRow, finishRow, handBackRows, heartbeatRows, ROWS_CHANNEL } from './row-claims';
import { runWorkerRow, type WorkerRowDeps } from './worker-row';

/** The liveness timings of a worker (database time). */
export interface WorkerTimings {
  /** A row (and a ledger job) whose worker stopped answering is handed on after this long (default 30 s). */
  leaseMs: number;
  /** Leases are renewed this often (default a third of the lease). */
  heartbeatMs: number;
  /** Expired leases are looked for this often (default a sixth of the lease). */
  superviseMs: number;
  /** An idle worker asks pg-boss for rows this often (default 1 s, at most a sixth of the lease). */
  fetchMs: number;
}

export function workerTimings(leaseMs = 30_000): WorkerTimings {
  return { leaseMs, heartbeatMs: leaseMs / 3, superviseMs: leaseMs / 6, fetchMs: Math.min(1_000, leaseMs / 6) };
}

export interface QueueWorkerOptions extends WorkerRowDeps {
  boss: PgBoss;
  queue: string;
  ledger: JobLedger;
  concurrency: number;
  timings: WorkerTimings;
  clock: Clock;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

/** A worker reads the model's price again after this long (a batch in one process reads it once). */
export const PRICE_TTL_MS = 5 * 60_000;

interface LiveRow {
  rowId: string;
  batchId: string;
  stop: AbortController;
  /** Its run is over and its outcome is being written: its slot is free for the next row (it keeps its lease until written). */
  finishing: boolean;
  /** Handed to another worker (its lease was lost, or this worker is shutting down): its outcome is not written. */
  lost: boolean;
  done: Promise<void>;
}

/**
 * One `worker` process: takes rows from the queue (pg-boss), up to `concurrency` at once, and
 * runs each under an attempt token (see row-claims.ts). Three loops beside the rows: the
 * heartbeat renews this worker's row leases (and learns of stop requests and of rows it lost);
 * the ledger's heartbeat renews its job leases; the supervisor hands rows of workers that
 * stopped answering to the queue again. A worker that loses a row lets its jobs run on (their
 * results land in the ledger, where the new attempt finds them) but writes nothing to the row.
 */
export class QueueWorker {
  private readonly live = new Map<string, LiveRow>();
  private readonly halt = new AbortController();
  /** Ends the fetch loop's idle wait: a row ended, a stop, or new rows announced. */
  private readonly wakeup: Wakeup;
  private loops: Promise<unknown>[] = [];
  /** One price for every row this worker runs, read again every PRICE_TTL_MS: not a catalog read per row. */
  private readonly price: EstimateDeps['priceUsd'];
  /** Rows this worker finished (succeeded, failed or interrupted), for tests and the exit line. */
  finished = 0;

  constructor(private readonly o: QueueWorkerOptions) {
    this.wakeup = new Wakeup(o.clock);
    this.price = memoizePrice(async (model, signal) => o.provider.priceUsd?.(model, signal), { ttlMs: PRICE_TTL_MS, now: () => o.clock.now() });
  }

  /** Starts taking rows (and listening for new ones: an idle worker polls pg-boss only every `fetchMs` otherwise). */
  async start(): Promise<void> {
    const signal = this.halt.signal;
    const listener = await this.o.pool.connect();
    listener.on('notification', (n) => n.payload === this.o.queue && this.wakeup.wake());
    await listener.query(`LISTEN ${ROWS_CHANNEL}`);
    const unlisten = new Promise<void>((resolve) =>
      signal.addEventListener(
        'abort',
        () =>
          void listener
            .query(`UNLISTEN ${ROWS_CHANNEL}`)
            .catch(() => undefined)
            .finally(() => {
              listener.release();
              resolve();
            }),
        { once: true },
      ),
    );
    this.loops = [
      unlisten,
      this.fetchLoop(signal),
      this.every(this.o.timings.heartbeatMs, signal, () => this.heartbeat()),
      this.every(this.o.timings.superviseMs, signal, () => this.supervise()),
      this.o.ledger.heartbeat(signal),
    ];
  }

  /** Rows running here now (including those whose outcome is being written). */
  get running(): number {
    return this.live.size;
  }

  /** Rows holding a slot: running, not yet writing their outcome. */
  private get busySlots(): number {
    let n = 0;
    for (const r of this.live.values()) if (!r.finishing) n++;
    return n;
  }

  /**
   * Stops taking rows and hands the running ones back to the queue at once: the ledger stops
   * following their jobs (not cancelled; submits in flight are awaited up to `settleMs`, so no
   * intent is left unanswered needlessly), then their rows go back to the queue in one
   * transaction and another worker re-attaches to their jobs.
   */
  async stop(settleMs = 30_000): Promise<void> {
    this.halt.abort();
    this.wakeup.wake();
    // Taken now: rows leave \`live\` as soon as the ledger lets go of their jobs.
    const tokens = [...this.live.keys()];
    for (const r of this.live.values()) r.lost = true;
    this.o.ledger.detachAll(new Error('The worker is stopping.'));
    await this.o.ledger.settle(settleMs);
    if (tokens.length) {
      const back = await handBackRows(this.o.pool, this.o.boss, { tokens, reason: 'was stopped' });
      for (const b of back) this.o.log('info', `row ${b.rowId} of batch ${b.batchId} handed back to the queue`);
    }
    await Promise.allSettled(this.loops);
  }

  private async fetchLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const free = this.o.concurrency - this.busySlots;
      let fetched = 0;
      if (free > 0) {
        try {
          const jobs = await this.o.boss.fetch<RowJobData>(this.o.queue, { batchSize: free });
          fetched = jobs.length;
          for (const job of jobs) this.take(job);
        } catch (e) {
          this.o.log('warn', `could not take rows from the queue: ${String(e)}`);
        }
      }
      // Full, or nothing waiting: sleep until a row ends or the poll interval passes.
      if (fetched === 0 || this.busySlots >= this.o.concurrency) await this.idle(signal);
    }
  }

  private idle(signal: AbortSignal): Promise<void> {
    return this.wakeup.wait(this.o.timings.fetchMs, signal);
  }

  private take(job: PgBoss.Job<RowJobData>): void {
    const token = randomUUID();
    const { batchId, rowId } = job.data;
    const row: LiveRow = { batchId, rowId, stop: new AbortController(), finishing: false, lost: false, done: Promise.resolve() };
    this.live.set(token, row);
    row.done = this.runRow(job, token, row)
      .catch((e) => this.o.log('error', `row ${rowId} of batch ${batchId}: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => {
        this.live.delete(token);
        this.wakeup.wake();
      });
  }

  private async runRow(job: PgBoss.Job<RowJobData>, token: string, row: LiveRow): Promise<void> {
    const { batchId, rowId } = job.data;
    const claim = await claimRow(this.o.pool, this.o.boss, {
      queue: this.o.queue,
      bossJobId: job.id,
      batchId,
      rowId,
      token,
      workerId: this.o.workerId,
      leaseMs: this.o.timings.leaseMs,
    });
    if ('refused' in claim) {
      if (claim.refused === 'running-elsewhere')
        this.o.log('warn', `row ${rowId} of batch ${batchId} was delivered again while another worker runs it; left to that worker`);
      return;
    }
    const c = claim.claimed;
    this.o.log(
      'info',
      `row ${rowId} of batch ${batchId}: started${c.attempts ? ` (attempt ${c.attempts + 1}: re-attaching to what earlier attempts submitted)` : ''}`,
    );
    const outcome = await runWorkerRow({ ...this.o, price: this.price }, c, token, row.stop.signal);
    // Nothing of the row is left to run: the next row may start while this one's outcome is written.
    row.finishing = true;
    this.wakeup.wake();
    if (row.lost) {
      this.o.log('warn', `row ${rowId} of batch ${batchId} was handed to another worker; this attempt's results are in the ledger, not written to the row`);
      return;
    }
    const won = await finishRow(this.o.pool, this.o.boss, this.o.queue, job.id, token, outcome);
    if (!won) {
      this.o.log('warn', `row ${rowId} of batch ${batchId} was taken over by another worker before it finished here; its outcome here was not written`);
      return;
    }
    this.finished++;
    this.o.log('info', `row ${rowId} of batch ${batchId}: ${outcome.status}${outcome.error ? ` — ${outcome.error.message}` : ''}`);
  }

  private async heartbeat(): Promise<void> {
    const tokens = [...this.live.keys()].filter((t) => !this.live.get(t)!.lost);
    const { held, stop } = await heartbeatRows(this.o.pool, tokens, this.o.timings.leaseMs);
    for (const t of tokens) {
      const row = this.live.get(t);
      if (!row) continue;
      // Not held although still running here: another worker took the row over (this one stopped answering for a while).
      if (!held.has(t)) row.lost = true;
      else if (stop.has(t) && !row.stop.signal.aborted) {
        this.o.log('info', `row ${row.rowId} of batch ${row.batchId}: the batch is being stopped`);
        row.stop.abort(new Error('The batch was stopped.'));
      }
    }
  }

  private async supervise(): Promise<void> {
    for (const b of await handBackRows(this.o.pool, this.o.boss, { limit: 50 })) {
      this.o.log(
        'warn',
        b.gaveUp
          ? `row ${b.rowId} of batch ${b.batchId}: its worker ${b.fromWorker} stopped answering, again; the row failed (too many takeovers)`
          : `row ${b.rowId} of batch ${b.batchId}: its worker ${b.fromWorker} stopped answering; handed back to the queue`,
      );
    }
  }

  private async every(ms: number, signal: AbortSignal, step: () => Promise<void>): Promise<void> {
    while (!signal.aborted) {
      try {
        await step();
      } catch (e) {
        this.o.log('warn', `${String(e)}`);
      }
      await this.o.clock.sleep(ms, signal).catch(() => undefined);
    }
  }
}
