import type { JobRecord } from './job-record';

/**
 * Where job records live: IndexedDB in the browser, files under `--cache-dir` in the CLI,
 * PostgreSQL for workers. A `put` resolves only once the record is durable (flushed), because
 * the intent must be on disk before the submit leaves the process.
 */
export interface LedgerStore {
  /**
   * Writes `record` if the stored copy still has `record.rev - 1` (or none exists and
   * `record.rev === 0`); otherwise throws {@link LedgerConflictError}: someone else changed it.
   */
  put(record: JobRecord): Promise<void>;
  get(jobId: string): Promise<JobRecord | undefined>;
  /** Every record of this work (same cache key), newest first. */
  byCacheKey(cacheKey: string): Promise<JobRecord[]>;
  /** Records that may still need following (intent … completed) or fetching (partial), oldest first. */
  unfinished(): Promise<JobRecord[]>;
  /** Every record, newest first (history views, tests). */
  list(): Promise<JobRecord[]>;
  /**
   * Earlier attempts at `endpoint` that block paying again (unknown submission, expired outputs,
   * lost) and that no later job superseded nor the user dismissed. Optional: without it the ledger
   * filters `list()`, which a shared database should not have to answer in full.
   */
  blocked?(endpoint: string): Promise<JobRecord[]>;
}

/** A write based on a stale copy: another owner moved the record on. */
export class LedgerConflictError extends Error {
  readonly code = 'ledger-conflict';
  constructor(
    readonly jobId: string,
    readonly expectedRev: number,
    readonly actualRev: number | undefined,
  ) {
    super(`Job ${jobId} was changed elsewhere (expected revision ${expectedRev}, found ${actualRev ?? 'none'}).`);
    this.name = 'LedgerConflictError';
  }
}

/** Throws when `next` does not follow `current` (shared by the stores). */
export function checkRevision(current: JobRecord | undefined, next: JobRecord): void {
  const expected = next.rev - 1;
  if (current === undefined ? next.rev !== 0 : current.rev !== expected) {
    throw new LedgerConflictError(next.jobId, expected, current?.rev);
  }
}

/** Whether a record still needs work: following at the provider, or fetching missing outputs. */
export function isUnfinished(r: JobRecord): boolean {
  return ['intent', 'submitted', 'queued', 'running', 'completed'].includes(r.state) || (r.state === 'stored' && r.partial);
}

const newestFirst = (a: JobRecord, b: JobRecord) => b.createdAt - a.createdAt || (a.jobId < b.jobId ? 1 : -1);

/**
 * A store that keeps every record in memory as well (its index): lookups never read storage.
 * Subclasses persist each write (`persist`) before the index takes it; right for one writer per
 * store (the CLI holds a lock on its folder).
 */
export abstract class IndexedLedgerStore implements LedgerStore {
  /** The index (read-only for callers; tests inspect it). */
  readonly records = new Map<string, JobRecord>();

  /** Makes `record` durable; the index changes only once this resolves. */
  protected abstract persist(record: JobRecord): Promise<void>;

  async put(record: JobRecord): Promise<void> {
    checkRevision(this.records.get(record.jobId), record);
    await this.persist(record);
    this.records.set(record.jobId, structuredClone(record));
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    const r = this.records.get(jobId);
    return r && structuredClone(r);
  }

  async byCacheKey(cacheKey: string): Promise<JobRecord[]> {
    return [...this.records.values()]
      .filter((r) => r.cacheKey === cacheKey)
      .sort(newestFirst)
      .map((r) => structuredClone(r));
  }

  async unfinished(): Promise<JobRecord[]> {
    return [...this.records.values()]
      .filter(isUnfinished)
      .sort((a, b) => -newestFirst(a, b))
      .map((r) => structuredClone(r));
  }

  async list(): Promise<JobRecord[]> {
    return [...this.records.values()].sort(newestFirst).map((r) => structuredClone(r));
  }
}

/** Records in memory (tests; hosts without durable storage — the UI says so). */
export class MemoryLedgerStore extends IndexedLedgerStore {
  /** Writes made, in order (tests count them). */
  readonly writes: JobRecord[] = [];

  protected async persist(record: JobRecord): Promise<void> {
    this.writes.push(structuredClone(record));
  }
}

export { newestFirst };
