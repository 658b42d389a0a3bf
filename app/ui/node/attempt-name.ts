import type { JobRecord } from '../../ledger';

/** How a job is named to people: by its request id, or by its job id while it has none. */
export const attemptName = (r: Pick<JobRecord, 'requestId' | 'jobId'>) => (r.requestId ? `request ${r.requestId}` : `job ${r.jobId}`);
