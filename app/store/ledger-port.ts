import type { JobRecord, LedgerUpdate, RecoveryReport, WorkStatus } from '../ledger';

/**
 * What the editor uses of the job ledger (app/ledger's `JobLedger` in the app, a real one on a
 * fake provider in tests). The store folds its updates into node status; the cost dialog reads
 * `lookup`; the node's buttons call `allowRepay`, `fetchMissing` and `dismiss`.
 */
export interface LedgerPort {
  subscribe(listener: (u: LedgerUpdate) => void): () => void;
  /** What running this work now would do: reuse, join, fetch, block, or pay. */
  lookup(cacheKey: string): Promise<WorkStatus>;
  /** The user chose to pay again for the work of this earlier job. */
  allowRepay(jobId: string): void;
  /** Fetches a finished job's missing images again, for free. */
  fetchMissing(jobId: string, signal?: AbortSignal): Promise<JobRecord>;
  /** The user has seen an unknown or lost job: kept on record, not shown. */
  dismiss(jobId: string): Promise<void>;
  /** Stops every job followed here: queued ones are cancelled, running ones still collected. */
  stopAll(reason?: unknown): void;
  /** After a reload: orphaned intents become unknown submissions; jobs in flight are followed again. */
  recover(): Promise<RecoveryReport>;
}
