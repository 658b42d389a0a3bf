/**
 * RunComfy Model API client for Seedream 4.5 Edit Sequential. Hosts (server, CLI, browser
 * composition root) build a RunComfyClient and hand `createSeedreamService(...)` to the run
 * context; nodes only ever see the SeedreamApi interface.
 */
export { DEFAULT_BASE_URL, DEFAULT_TIMEOUTS, estimateCostUsd, RunComfyClient } from './client';
export type { ClientTimeouts, RunComfyClientOptions, SubmittedJob } from './client';
export * from './errors';
export { downloadOutput, isAllowedOutputUrl, type DownloadOptions } from './download';
export type { FetchLike } from './http';
export { checkSeedreamInput, toDataUri } from './input-checks';
export { adaptivePollPolicy, estimateRunMs, fixedPollPolicy, RunTimeEstimator } from './poll-policy';
export type { PollPolicy, RunTimeFactors } from './poll-policy';
export { READ_RETRY, SUBMIT_RETRY, type RetryPolicy } from './retry';
export type { CancelOutcome, CancelResult, CatalogInfo, JobResult, JobState, JobStatus } from './schemas';
export { createSeedreamService, resumeJob } from './seedream-service';
export type { ResumeOptions, SeedreamService, SeedreamServiceOptions } from './seedream-service';
export { DEFAULT_DEADLINES, waitForJob } from './wait-for-job';
export type { JobDeadlines, JobUpdate, WaitOptions } from './wait-for-job';
