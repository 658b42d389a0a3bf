/**
 * The job ledger: every paid job is one durable record with one state machine (see
 * job-record.ts and transitions.ts), owned by `JobLedger`. Storage is a port (`LedgerStore`):
 * memory here, files in app/server, IndexedDB in app/browser, PostgreSQL for workers.
 */
export { JobLedger, type JobLedgerOptions, type LedgerOwnerIdentity, type RecoveryReport } from './job-ledger';
export {
  ACTIVE_STATES,
  billingOf,
  JOB_RECORD_VERSION,
  JOB_STATES,
  missingOutputs,
  parseJobRecord,
  REPAY_STATES,
  zJobRecord,
  zJobState,
  type Billing,
  type JobOutput,
  type JobOwner,
  type JobRecord,
  type JobState,
} from './job-record';
export { checkRevision, isUnfinished, LedgerConflictError, MemoryLedgerStore, type LedgerStore } from './ledger-store';
export { defaultRepayHint, ledgerMessages, type RepayHint } from './messages';
export type { LedgerUpdate } from './record-writer';
export { resultOf } from './result-of';
export { applyJobEvent, canMove, LedgerTransitionError, type JobEvent } from './transitions';
export { ownedElsewhere, workStatus, type WorkStatus } from './work-status';
export { readBackoffMs, type LedgerPollContext, type LedgerPollPolicy, type RunFactors, type RunTimeLearner } from './follow-job';
export { recordFromJournalEntry, zOldJournalEntry, type OldJournalEntry } from './journal-migration';
export { IndexedLedgerStore } from './ledger-store';
