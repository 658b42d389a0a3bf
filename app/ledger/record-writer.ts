import type { JobRecord } from './job-record';
import type { LedgerStore } from './ledger-store';
import { applyJobEvent, type JobEvent } from './transitions';

/** What the ledger tells listeners after every change of a job. */
export interface LedgerUpdate {
  record: JobRecord;
  /** One sentence for people about what just happened, when there is one. */
  message?: string;
}

/**
 * The only writer of one job's record in this process: events are applied in order, each
 * persisted before the next (so the record on disk never runs ahead of what happened), and
 * every change is announced. A write that fails (disk full, storage gone) keeps the job going
 * in memory and is retried with the next change: a failing disk must not abandon a paid job.
 */
export class RecordWriter {
  private record: JobRecord;
  private storedRev: number | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  /** A conflict met by a write nobody awaited (`applySoon`): every later write fails with it. */
  private conflict: unknown;

  constructor(
    initial: JobRecord,
    private readonly store: LedgerStore,
    private readonly announce: (u: LedgerUpdate) => void,
    private readonly wallNow: () => number,
    /** Whether `initial` is already stored as it is (a record read back from the store). */
    stored: boolean,
    private readonly onWriteError: (e: unknown, record: JobRecord) => void = () => undefined,
  ) {
    this.record = initial;
    this.storedRev = stored ? initial.rev : undefined;
  }

  get current(): JobRecord {
    return this.record;
  }

  /** Writes the record as it is (the intent): resolves once durable, rejects when it is not. */
  persistNow(): Promise<JobRecord> {
    return this.enqueue(async () => {
      await this.write(this.record, true);
      this.announce({ record: this.record });
      return this.record;
    });
  }

  /**
   * Applies `event` (or several, in order, written once). `persist: false` updates memory and
   * listeners only (a queue position that changes every poll is not worth a disk write); the
   * next persisted change carries it.
   */
  apply(event: JobEvent | readonly JobEvent[], message?: string, options: { persist?: boolean; strict?: boolean } = {}): Promise<JobRecord> {
    return this.enqueue(async () => {
      // Several events that happen together (the last image stored, so the downloads are settled) are one write.
      const now = this.wallNow();
      const next = (Array.isArray(event) ? event : [event]).reduce<JobRecord>((r, e: JobEvent) => applyJobEvent(r, e, now), this.record);
      if (next === this.record) return next;
      this.record = next;
      if (options.persist !== false) await this.write(next, options.strict ?? false);
      this.announce({ record: next, ...(message ? { message } : {}) });
      return next;
    });
  }

  /**
   * Applies `event` and resolves once it is in memory, while its write goes on in order with
   * every other change (the next awaited change waits for it). For a change nothing waits on
   * (a job's output URLs: its downloads can start while they are written down). A write that
   * fails is reported like any non-strict write; a conflict fails the next change instead.
   */
  applySoon(event: JobEvent, message?: string): Promise<JobRecord> {
    return new Promise<JobRecord>((resolve, reject) => {
      void this.enqueue(async () => {
        let next: JobRecord;
        try {
          next = applyJobEvent(this.record, event, this.wallNow());
        } catch (e) {
          reject(e);
          return;
        }
        resolve(next);
        if (next === this.record) return;
        this.record = next;
        await this.write(next, false).catch((e: unknown) => {
          // Another owner wrote the record: the next awaited change fails with it, as an awaited write would have.
          if ((e as { code?: unknown }).code === 'ledger-conflict') this.conflict = e;
          else this.onWriteError(e, next);
        });
        this.announce({ record: this.record, ...(message ? { message } : {}) });
      });
    });
  }

  private async write(record: JobRecord, strict: boolean): Promise<void> {
    if (this.conflict !== undefined) throw this.conflict;
    const rev = this.storedRev === undefined ? 0 : this.storedRev + 1;
    const toStore = { ...record, rev };
    try {
      await this.store.put(toStore);
      this.storedRev = rev;
      this.record = { ...this.record, rev };
    } catch (e) {
      if (strict || (e as { code?: unknown }).code === 'ledger-conflict') throw e;
      this.onWriteError(e, record);
    }
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work, work);
    this.chain = run.catch(() => undefined);
    return run;
  }
}
