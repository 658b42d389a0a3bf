import { rowFingerprint, type BatchEvent, type BatchRunResult } from '../../batch';
import type { BatchBackend, BatchBackendRun } from '../batch/batch-backend';
import { BATCH_CHANNEL } from './row-claims';
import { batchSpend, changedRows, enqueueRows, openBatch, requestStop, rowResult, rowStatuses, type RowState, type RowToEnqueue } from './batch-queue-store';
import type { QueueServices } from './queue-services';
import { writeRowFolder } from './row-folder';

export interface QueueBackendOptions {
  services: QueueServices;
  outDir: string;
  origin: string;
  /** After a stop, how long to wait for workers to end the running rows (default 30 s). */
  settleMs?: number;
  /** How often the rows are read when no notification came (default 1 s). */
  pollMs?: number;
  /** One line for the user (stderr). */
  say(text: string): void;
}

/** Rows enqueued per transaction (bounded memory and transaction size for 1,000-row batches). */
const ENQUEUE_CHUNK = 50;
/** The first chunk's rows; each next chunk is twice as large, up to ENQUEUE_CHUNK. */
const FIRST_ENQUEUE_CHUNK = 4;
/** Re-read rows that changed this long before the last read: a transaction's `now()` is its start, not its commit. */
const OVERLAP_MS = 3_000;
/** Reads of the rows are at least this far apart: notifications are gathered meanwhile (a busy batch finishes many rows a second). */
const GATHER_MS = 100;
/** Said once when no worker has taken a row by then. */
const IDLE_HINT_MS = 15_000;

interface Followed {
  line: number;
  started: boolean;
  jobIds: Set<string>;
  requestIds: Set<string>;
  note: string | null;
}

const FINAL = new Set<RowState['status']>(['succeeded', 'failed', 'interrupted']);

/**
 * `batch --queue`: the rows go to `worker` processes through pg-boss. After the same checks and
 * cost-first as in-process, each row's resolved workflow (its images already in the PostgreSQL
 * asset store) is enqueued with its job; then the coordinator follows `batch_rows` (woken by
 * NOTIFY, polling as a fallback), emits the same batch events, and writes each finished row's
 * folder from the database. A re-run of the same command takes the batch up again: rows done
 * in the database are written, rows in flight followed, only the others enqueued. A stop
 * interrupts rows not started (their jobs cancelled) and asks workers to stop the running ones.
 */
export class QueueBackend implements BatchBackend {
  readonly name = 'queue';

  constructor(private readonly o: QueueBackendOptions) {}

  async run(batch: BatchBackendRun): Promise<BatchRunResult> {
    const s = this.o.services;
    const { batchId, signal } = batch;
    await openBatch(s.pool, {
      batchId,
      queue: s.queue,
      endpoint: s.provider.endpoint,
      origin: this.o.origin,
      mode: s.mode,
      capUsd: batch.capUsd,
      repayJobIds: s.repayAllowed(),
    });
    const listener = await s.pool.connect();
    let wake: (() => void) | undefined;
    // Set by a notification that came while no one waited (during a read): the next wait is skipped.
    let notified: boolean | undefined;
    listener.on('notification', (n) => {
      if (n.payload !== batchId) return;
      notified = true;
      wake?.();
    });
    await listener.query(`LISTEN ${BATCH_CHANNEL}`);
    const result: BatchRunResult = { status: 'succeeded', succeeded: 0, failed: 0, interrupted: 0, notStarted: 0 };
    const follow = new Map<string, Followed>();
    const emit = (e: BatchEvent) => batch.onEvent(e);
    try {
      await this.enqueue(batch, follow, result, emit);
      let stopping = false;
      let deadline = Infinity;
      let since = 0;
      let spend = '';
      const hintAt = Date.now() + IDLE_HINT_MS;
      let started = [...follow.values()].some((f) => f.started);
      while (follow.size > 0) {
        if (!started && !stopping && Date.now() > hintAt) {
          started = true;
          this.o.say(
            `No worker has taken a row yet: start one with \`npm run cli -- worker --queue <this database>\` (RUNCOMFY_BASE_URL ${s.provider.endpoint}).`,
          );
        }
        if (signal.aborted && !stopping) {
          stopping = true;
          const cancelled = await requestStop(s.pool, s.boss, batchId);
          const settleMs = this.o.settleMs ?? 30_000;
          deadline = Date.now() + settleMs;
          this.o.say(
            `Stopping: ${cancelled} row(s) not started were cancelled; workers stop the running ones (queued requests cancelled, running ones still collected). Waiting up to ${Math.round(settleMs / 1000)} s…`,
          );
        }
        if (Date.now() > deadline) break;
        notified = false;
        const readAt = Date.now();
        const read = await changedRows(s.pool, batchId, since - OVERLAP_MS);
        since = read.dbNow;
        for (const r of read.rows) {
          if (r.status !== 'queued') started = true;
          const f = follow.get(r.rowId);
          if (f && (await this.observe(batchId, f, r, emit, result))) follow.delete(r.rowId);
        }
        const money = await batchSpend(s.pool, batchId);
        if (money && JSON.stringify(money) !== spend) {
          spend = JSON.stringify(money);
          emit({ type: 'spend', ...money, at: Date.now() });
        }
        if (follow.size === 0) break;
        // Wait for a notification (or the poll interval), then until GATHER_MS after the last read
        // began: a burst of changes is read once, a change after a quiet spell at once.
        if (!notified)
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, this.o.pollMs ?? 1_000);
            const onAbort = () => done();
            function done() {
              clearTimeout(timer);
              signal.removeEventListener('abort', onAbort);
              wake = undefined;
              resolve();
            }
            wake = done;
            if (!stopping) signal.addEventListener('abort', onAbort, { once: true });
          });
        const gather = readAt + GATHER_MS - Date.now();
        if (gather > 0 && !(signal.aborted && !stopping)) await new Promise((r) => setTimeout(r, gather));
      }
      if (stopping) {
        if (follow.size)
          this.o.say(`${follow.size} row(s) still running on workers: they go on; run the same command again to follow them and write their folders.`);
        result.status = 'interrupted';
      } else result.status = result.failed || result.interrupted ? 'failed' : 'succeeded';
      emit({ type: 'batch-done', status: result.status, at: Date.now() });
      return result;
    } finally {
      await listener.query(`UNLISTEN ${BATCH_CHANNEL}`).catch(() => undefined);
      listener.release();
    }
  }

  /** Enqueues the rows the database does not have done or in flight (with the same input); the others are followed. */
  private async enqueue(batch: BatchBackendRun, follow: Map<string, Followed>, result: BatchRunResult, emit: (e: BatchEvent) => void): Promise<void> {
    const s = this.o.services;
    const known = await rowStatuses(s.pool, batch.batchId);
    let chunk: RowToEnqueue[] = [];
    const flush = async () => {
      await enqueueRows(s.pool, s.boss, s.queue, batch.batchId, chunk);
      chunk = [];
    };
    // A row that fails before it is enqueued: nothing was submitted for it.
    const failRow = (rowId: string, code: string, message: string) => {
      result.failed++;
      emit({ type: 'row-done', rowId, status: 'failed', costUsd: 0, files: [], requestIds: [], jobIds: [], error: { code, message }, at: Date.now() });
    };
    let inFlight = 0;
    // Small chunks first, so workers start on the first rows while the rest are being enqueued.
    let chunkSize = FIRST_ENQUEUE_CHUNK;
    for (const row of batch.rows) {
      const followed = { line: row.line, started: false, jobIds: new Set<string>(), requestIds: new Set<string>(), note: null };
      if (batch.signal.aborted) {
        result.notStarted++;
        continue;
      }
      const k = known.get(row.id);
      if (k && k.fingerprint === row.fingerprint && k.status !== 'failed' && k.status !== 'interrupted') {
        if (k.status === 'running' || k.status === 'orphaned') inFlight++;
        follow.set(row.id, followed);
        continue;
      }
      let workflow;
      try {
        workflow = await row.resolve(batch.signal);
      } catch (e) {
        if (batch.signal.aborted) {
          result.notStarted++;
          continue;
        }
        failRow(row.id, 'row-failed', e instanceof Error ? e.message : String(e));
        continue;
      }
      if (rowFingerprint(workflow) !== row.fingerprint) {
        failRow(
          row.id,
          'row-changed',
          'A file or value this row names changed after the batch was checked; nothing was submitted for it. Run the batch again to check it anew.',
        );
        continue;
      }
      chunk.push({ rowId: row.id, line: row.line, fingerprint: row.fingerprint, workflow });
      follow.set(row.id, followed);
      if (chunk.length >= chunkSize) {
        await flush();
        chunkSize = Math.min(ENQUEUE_CHUNK, chunkSize * 2);
      }
    }
    await flush();
    if (inFlight) this.o.say(`${inFlight} row(s) are already in flight on workers: followed, not enqueued again.`);
  }

  /** Emits what changed in one row; returns true once the row is final (its folder written). */
  private async observe(batchId: string, f: Followed, r: RowState, emit: (e: BatchEvent) => void, result: BatchRunResult): Promise<boolean> {
    const now = Date.now();
    // A row a stop cancelled before any worker took it never started: it only ends (no "started" line).
    if (r.status !== 'queued' && !f.started && !(r.status === 'interrupted' && r.startedAt === null)) {
      f.started = true;
      emit({ type: 'row-start', rowId: r.rowId, at: r.startedAt ?? now });
    }
    for (const jobId of r.jobIds) {
      if (f.jobIds.has(jobId)) continue;
      f.jobIds.add(jobId);
      emit({ type: 'row-job', rowId: r.rowId, jobId, at: now });
    }
    const anyJob = r.jobIds.at(-1);
    for (const requestId of r.requestIds) {
      if (f.requestIds.has(requestId) || !anyJob) continue;
      f.requestIds.add(requestId);
      emit({ type: 'row-job', rowId: r.rowId, jobId: anyJob, requestId, at: now });
    }
    if (r.note && r.note !== f.note) {
      f.note = r.note;
      this.o.say(`row ${r.rowId} (line ${f.line}): ${r.note}`);
    }
    if (!FINAL.has(r.status)) return false;
    const status = r.status as 'succeeded' | 'failed' | 'interrupted';
    let files: string[] = [];
    let error = r.error ?? undefined;
    const stored = await rowResult(this.o.services.pool, batchId, r.rowId);
    if (stored?.manifest) {
      const folder = await writeRowFolder({ outDir: this.o.outDir, rowId: r.rowId, ...stored, assets: this.o.services.assets });
      files = folder.files;
      if (folder.problems.length) {
        error = { code: 'images-missing', message: `Some images of this row could not be written: ${folder.problems.join('; ')}` };
      }
    }
    const final = error?.code === 'images-missing' ? 'failed' : status;
    result[final]++;
    emit({
      type: 'row-done',
      rowId: r.rowId,
      status: final,
      costUsd: r.costUsd,
      files,
      requestIds: r.requestIds,
      jobIds: r.jobIds,
      ...(error
        ? {
            error: {
              code: error.code,
              message: error.message,
              ...(error.nodeId ? { nodeId: error.nodeId } : {}),
              ...(error.requestId ? { requestId: error.requestId } : {}),
            },
          }
        : {}),
      at: r.finishedAt ?? now,
    });
    return true;
  }
}
