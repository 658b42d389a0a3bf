/**
 * Paid generation behind a provider-neutral interface: `GenerationProvider` (./provider), one
 * `ApiError` family (./errors), retry rules (./retry) and poll schedules (./poll-policy). The one
 * provider today is RunComfy (./runcomfy), re-exported here for composition roots.
 */
export * from './errors';
export type { CancelOutcome, GenerationProvider, JobObservation, ObservedState, PreparedSubmit, SentSummary } from './provider';
export { boundedPollPolicy, fixedPollPolicy, type PollContext, type PollPolicy } from './poll-policy';
export { DOWNLOAD_RETRY, READ_RETRY, SUBMIT_RETRY, type RetryPolicy } from './retry';
export * from './runcomfy';
