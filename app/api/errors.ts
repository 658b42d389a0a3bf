import type { Issue } from '../graph/issues';

/**
 * Stable codes of everything the Model API client can fail with. UIs switch on `code`, never on
 * the class name or the message.
 */
export type ApiErrorCode =
  | 'auth'
  | 'invalid-input'
  | 'not-found'
  | 'insufficient-balance'
  | 'rate-limited'
  | 'upstream-unavailable'
  | 'timeout'
  | 'network'
  | 'bad-response'
  | 'api-error'
  | 'unknown-submission'
  | 'job-failed'
  | 'cancelled'
  | 'deadline'
  | 'still-running'
  | 'download'
  | 'config';

export interface ApiErrorInit {
  /** HTTP status of the answer, when there was one. */
  status?: number;
  /** RunComfy's own `error_code` (e.g. `404001`), as text. */
  apiCode?: string;
  requestId?: string;
  /** How long the server asked us to wait (`Retry-After`), in ms. */
  retryAfterMs?: number;
  retryable?: boolean;
  cause?: unknown;
}

/**
 * Base of every client error. `retryable` says whether repeating the same call can succeed and is
 * safe (never true for anything that may have created a paid job). Messages are for people: what
 * happened, and what to do about it; they never contain the API token.
 */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number | undefined;
  readonly apiCode: string | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  /** The RunComfy request this concerns; set as soon as it is known (callers journal it). */
  requestId: string | undefined;
  /** How many attempts were made before giving up, when the call was retried. */
  attempts: number | undefined;

  constructor(code: ApiErrorCode, message: string, init: ApiErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = init.status;
    this.apiCode = init.apiCode;
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
    this.retryable = init.retryable ?? false;
    this.attempts = undefined;
  }
}

/** Missing, expired or revoked token (401, 400004), or a resource of another account (403, 403001). */
export class AuthError extends ApiError {
  constructor(message: string, init: ApiErrorInit = {}) {
    super('auth', message, { ...init, retryable: false });
    this.name = 'AuthError';
  }
}

/** The inputs break a rule, found locally before submitting or reported by RunComfy (400/422). */
export class InvalidInputError extends ApiError {
  /** One entry per broken rule, each naming its field. */
  readonly issues: Issue[];
  constructor(message: string, issues: Issue[] = [], init: ApiErrorInit = {}) {
    super('invalid-input', message, { ...init, retryable: false });
    this.name = 'InvalidInputError';
    this.issues = issues;
  }
}

/** Unknown, deleted or expired request id (404, 404001). */
export class NotFoundError extends ApiError {
  constructor(message: string, init: ApiErrorInit = {}) {
    super('not-found', message, { ...init, retryable: false });
    this.name = 'NotFoundError';
  }
}

/** Not enough balance on the RunComfy account (402, 400002). */
export class InsufficientBalanceError extends ApiError {
  constructor(message: string, init: ApiErrorInit = {}) {
    super('insufficient-balance', message, { ...init, retryable: false });
    this.name = 'InsufficientBalanceError';
  }
}

/** 429: too many requests; `retryAfterMs` when the server said how long to wait. */
export class RateLimitedError extends ApiError {
  constructor(message: string, init: ApiErrorInit = {}) {
    super('rate-limited', message, { ...init, retryable: true });
    this.name = 'RateLimitedError';
  }
}

/** 5xx: RunComfy (or a gateway before it) is unavailable. */
export class UpstreamUnavailableError extends ApiError {
  constructor(message: string, init: ApiErrorInit = {}) {
    super('upstream-unavailable', message, { retryable: true, ...init });
    this.name = 'UpstreamUnavailableError';
  }
}

/** No answer in time (our own HTTP timeout, or 408 from the server). */
export class TimeoutError extends ApiError {
  constructor(message: string, init: ApiErrorInit = {}) {
    super('timeout', message, { retryable: true, ...init });
    this.name = 'TimeoutError';
  }
}

/** The connection failed (refused, reset, DNS). */
export class NetworkError extends ApiError {
  constructor(message: string, init: ApiErrorInit = {}) {
    super('network', message, { retryable: true, ...init });
    this.name = 'NetworkError';
  }
}

/** A 2xx answer this client cannot read (not JSON, or not the documented shape). Not retried. */
export class BadResponseError extends ApiError {
  constructor(message: string, init: ApiErrorInit = {}) {
    super('bad-response', message, { ...init, retryable: false });
    this.name = 'BadResponseError';
  }
}

/** What a submit sent, without the image data (data URIs are summarised by type and size). */
export interface SentSummary {
  url: string;
  bodyBytes: number;
  images: string[];
  prompt: string;
  maxImages: number;
  resolution?: string;
  seed?: number;
}

/**
 * A submit that may or may not have created a (paid) job: timeout or reset after sending, 5xx,
 * or a 2xx without a usable request id. It is never resent automatically.
 */
export class UnknownSubmissionError extends ApiError {
  readonly sent: SentSummary;
  /** Clock time (ms) when the submit was sent, to find it in RunComfy's request history. */
  readonly sentAt: number;
  constructor(message: string, sent: SentSummary, sentAt: number, init: ApiErrorInit = {}) {
    super('unknown-submission', message, { ...init, retryable: false });
    this.name = 'UnknownSubmissionError';
    this.sent = sent;
    this.sentAt = sentAt;
  }
}

/** RunComfy reports that the job failed; `detail` is its error, as text. */
export class JobFailedError extends ApiError {
  readonly detail: string | undefined;
  constructor(message: string, detail: string | undefined, init: ApiErrorInit = {}) {
    super('job-failed', message, { ...init, retryable: false });
    this.name = 'JobFailedError';
    this.detail = detail;
  }
}

/** The job was cancelled at RunComfy (by us or elsewhere); a cancelled job is not billed. */
export class CancelledError extends ApiError {
  constructor(message: string, init: ApiErrorInit = {}) {
    super('cancelled', message, { ...init, retryable: false });
    this.name = 'CancelledError';
  }
}

/**
 * A per-job deadline passed. `phase: 'queued'` → it was cancelled when `cancelled` (not billed);
 * `phase: 'running'` → we stopped waiting and the job keeps running (and is billed).
 */
export class DeadlineError extends ApiError {
  readonly phase: 'queued' | 'running';
  readonly cancelled: boolean;
  constructor(message: string, phase: 'queued' | 'running', cancelled: boolean, init: ApiErrorInit = {}) {
    super('deadline', message, { ...init, retryable: false });
    this.name = 'DeadlineError';
    this.phase = phase;
    this.cancelled = cancelled;
  }
}

/** We stopped waiting but the job could not be cancelled: it is still running and will be billed. */
export class StillRunningError extends ApiError {
  constructor(message: string, init: ApiErrorInit & { requestId: string }) {
    super('still-running', message, { ...init, retryable: false });
    this.name = 'StillRunningError';
  }
}

/** An output image could not be downloaded (refused host, redirect, too large, expired, network). */
export class DownloadError extends ApiError {
  readonly url: string;
  constructor(message: string, url: string, init: ApiErrorInit = {}) {
    super('download', message, init);
    this.name = 'DownloadError';
    this.url = url;
  }
}

/** The client was configured in a way that would be unsafe or cannot work (e.g. token over http). */
export class ClientConfigError extends ApiError {
  constructor(message: string) {
    super('config', message, { retryable: false });
    this.name = 'ClientConfigError';
  }
}

const REDACTED = '[redacted]';

/** `text` with the secret, and anything that looks like a bearer credential, blanked out. */
export function redactSecret(text: string, secret: string | undefined): string {
  let out = secret ? text.split(secret).join(REDACTED) : text;
  out = out.replace(/(bearer\s+)[^\s"',;]+/gi, `$1${REDACTED}`);
  return out;
}

/**
 * Makes sure nothing reachable from `error` (message, stack, cause chain) carries the secret.
 * Applied by the client to everything it throws.
 */
export function scrubError<E>(error: E, secret: string | undefined): E {
  if (!secret) return error;
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    current.message = redactSecret(current.message, secret);
    if (current.stack) current.stack = redactSecret(current.stack, secret);
    const next: unknown = current.cause;
    if (next !== undefined && !(next instanceof Error) && describeValue(next).includes(secret)) {
      current.cause = redactSecret(describeValue(next), secret);
    }
    current = next;
  }
  return error;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
