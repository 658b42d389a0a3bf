import type { z } from 'zod';
import type { Fault, FaultMatch, FaultPhase, RetryAfterForm, UnknownStatus } from './faults';

/** How a file download fails: an HTTP status, a dropped connection, or no answer. */
export type FileFailure = number | 'reset' | 'hang';

/** Readable builders for the faults tests use most. */
export const simFaults = {
  rateLimited: (retryAfterSeconds = 1, m: FaultMatch = {}): Fault => ({
    kind: 'http',
    status: 429,
    headers: { 'Retry-After': String(retryAfterSeconds) },
    ...m,
  }),
  /**
   * `status` (default 429) with `Retry-After: seconds`, as delta-seconds or as an HTTP-date on the
   * simulator's wall clock (then `Date` says the same clock). Any route; e.g. `forMs` for a window.
   */
  retryAfter: (seconds: number, form: RetryAfterForm = 'delta-seconds', m: FaultMatch & { status?: number } = {}): Fault => {
    const { status = 429, ...rest } = m;
    return { kind: 'http', status, retryAfter: { seconds, form }, ...rest };
  },
  serverError: (status = 503, m: FaultMatch = {}): Fault => ({ kind: 'http', status, ...m }),
  insufficientBalance: (m: FaultMatch = {}): Fault => ({ kind: 'http', status: 402, ...m }),
  wrongOwner: (m: FaultMatch = {}): Fault => ({ kind: 'http', status: 403, ...m }),
  errorCode200: (error_code: number, m: FaultMatch = {}): Fault => ({ kind: 'error-code-200', error_code, ...m }),
  reset: (phase: FaultPhase = 'after-body', m: FaultMatch = {}): Fault => ({ kind: 'reset', phase, ...m }),
  hang: (phase: FaultPhase = 'after-body', m: FaultMatch = {}): Fault => ({ kind: 'hang', phase, ...m }),
  expire: (m: FaultMatch = {}): Fault => ({ kind: 'expire', ...m }),
  jobFails: (error?: z.core.util.JSONType, m: FaultMatch = {}): Fault => ({ kind: 'job', fail: true, ...(error === undefined ? {} : { error }), ...m }),
  slowQueue: (queueDelayMs: number, m: FaultMatch = {}): Fault => ({ kind: 'job', queueDelayMs, ...m }),
  /**
   * The next submit creates its job, but its answer is held until `sim.release(id | 'all')`,
   * for `ms` (model ms), or forever (until the client gives up).
   */
  holdSubmit: (ms?: number, m: FaultMatch = {}): Fault => ({ kind: 'hold', route: 'submit', ...(ms === undefined ? {} : { ms }), ...m }),
  /** Downloads of output `outputIndex` (0-based in `output.images`) fail: a status, a reset or a hang. */
  fileFails: (outputIndex: number | number[], failure: FileFailure = 404, m: FaultMatch = {}): Fault => {
    const base = { ...m, route: 'file' as const, outputIndex };
    if (failure === 'reset') return { kind: 'reset', ...base };
    if (failure === 'hang') return { kind: 'hang', ...base };
    return { kind: 'http', status: failure, ...base };
  },
  /** The next job's output URLs stop working `afterMs` (model ms) after it finished. */
  filesExpire: (afterMs: number, status?: number, m: FaultMatch = {}): Fault => ({
    kind: 'job',
    filesExpireAfterMs: afterMs,
    ...(status === undefined ? {} : { expiredFileStatus: status }),
    ...m,
  }),
  /** The output URLs of the job the next matching request names stop working now. */
  expireFiles: (m: FaultMatch = {}): Fault => ({ kind: 'expire-files', ...m }),
  /** The next job reports `word` (default `starting`) while queued/running, within the limits given. */
  unknownStatus: (word = 'starting', limits: Omit<UnknownStatus, 'word'> = {}, m: FaultMatch = {}): Fault => ({
    kind: 'job',
    unknownStatus: { word, ...limits },
    ...m,
  }),
  /** The next cancel answers `not_cancellable` and the job stays as it is, queued or not. */
  refuseCancel: (m: FaultMatch = {}): Fault => ({ kind: 'refuse-cancel', route: 'cancel', ...m }),
};
