import type { Issue } from '../graph/issues';
import type { SentSummary } from './provider';

/**
 * Every failure of paid generation, as one error class with a stable `code`. UIs switch on
 * `code`, never on the class or the message. The table says whether repeating the same call can
 * succeed and is safe: never for anything that may have created a paid job.
 */
export const API_ERROR_CODES = {
  /** Missing, expired or revoked token (401, 400004), or another account's resource (403, 403001). */
  auth: { retryable: false },
  /** The inputs break a rule, found here before submitting or reported by the API (400/422). */
  'invalid-input': { retryable: false },
  /** Unknown, deleted or expired request id (404, 404001). */
  'not-found': { retryable: false },
  /** Not enough balance (402, 400002). */
  'insufficient-balance': { retryable: false },
  /** 429; `retryAfterMs` when the server said how long to wait. */
  'rate-limited': { retryable: true },
  /** 5xx: the API (or a gateway before it) is unavailable. */
  'upstream-unavailable': { retryable: true },
  /** No answer in time (our HTTP timeout, or 408). */
  timeout: { retryable: true },
  /** The connection failed (refused, reset, DNS). */
  network: { retryable: true },
  /** A 2xx answer this client cannot read, or a redirect (never followed). */
  'bad-response': { retryable: false },
  /** Any other answer the API marked as an error (e.g. 200 with an unknown `error_code`). */
  'api-error': { retryable: false },
  /** A submit that may have created a paid job: never resent automatically. */
  'unknown-submission': { retryable: false },
  /** The API reports that the job failed. */
  'job-failed': { retryable: false },
  /** The job was cancelled at the API (not billed). */
  cancelled: { retryable: false },
  /** A per-job deadline passed: stopped waiting (the job may still run, billed). */
  deadline: { retryable: false },
  /** Stopped waiting, but the job could not be cancelled: it runs and is billed. */
  'still-running': { retryable: false },
  /** An output image could not be downloaded (`DownloadError` says which and whether it expired). */
  download: { retryable: true },
  /** Unsafe or impossible settings (e.g. a token over http). */
  config: { retryable: false },
  /** The same work was attempted before and may have been billed: paying again needs the user's explicit choice. */
  'repay-required': { retryable: false },
} as const satisfies Record<string, { retryable: boolean }>;

export type ApiErrorCode = keyof typeof API_ERROR_CODES;

export interface ApiErrorInit {
  /** HTTP status of the answer, when there was one. */
  status?: number;
  /** The API's own `error_code` (e.g. `404001`), as text. */
  apiCode?: string;
  requestId?: string;
  /** How long the server asked us to wait (`Retry-After`), in ms. */
  retryAfterMs?: number;
  /** Overrides the code table (e.g. a 5xx that must not be retried). */
  retryable?: boolean;
  /** Extra facts for UIs (the API's error text of a failed job, a deadline's phase). */
  detail?: unknown;
  cause?: unknown;
}

/**
 * Base of every generation error. Messages are for people: what happened and what to do; they
 * never contain the API token. Context is added through `cause`, never by rewriting `message`.
 */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number | undefined;
  readonly apiCode: string | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly detail: unknown;
  /** The request this concerns, when known. */
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
    this.retryable = init.retryable ?? API_ERROR_CODES[code].retryable;
    this.detail = init.detail;
    this.attempts = undefined;
  }
}

/** Whether `e` is an ApiError (of `code`, when given). */
export function isApiError(e: unknown, code?: ApiErrorCode): e is ApiError {
  return e instanceof ApiError && (code === undefined || e.code === code);
}

/** The inputs break a rule: one issue per broken rule, each naming its field. */
export class InvalidInputError extends ApiError {
  readonly issues: Issue[];
  constructor(message: string, issues: Issue[] = [], init: ApiErrorInit = {}) {
    super('invalid-input', message, init);
    this.name = 'InvalidInputError';
    this.issues = issues;
  }
}

/**
 * A submit that may or may not have created a (paid) job: timeout or reset after sending, 5xx,
 * or a 2xx without a usable request id. It is never resent automatically.
 */
export class UnknownSubmissionError extends ApiError {
  readonly sent: SentSummary;
  /** Wall-clock ms when the submit was sent, to find it in the provider's request history. */
  readonly sentAt: number;
  constructor(message: string, sent: SentSummary, sentAt: number, init: ApiErrorInit = {}) {
    super('unknown-submission', message, init);
    this.name = 'UnknownSubmissionError';
    this.sent = sent;
    this.sentAt = sentAt;
  }
}

/** An output image could not be downloaded; `expired` when the host says it is gone (404/403/410). */
export class DownloadError extends ApiError {
  readonly url: string;
  readonly expired: boolean;
  constructor(message: string, url: string, init: ApiErrorInit & { expired?: boolean } = {}) {
    super('download', message, { ...init, retryable: init.retryable ?? !init.expired });
    this.name = 'DownloadError';
    this.url = url;
    this.expired = init.expired ?? false;
  }
}

/**
 * One paragraph for people: the message, how many attempts were made, and each cause's message
 * that adds something (context travels in `cause` and fields, never spliced into `message`).
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  let text = error.message;
  if (error instanceof ApiError && error.attempts !== undefined && error.attempts > 1) text += ` (gave up after ${error.attempts} attempts)`;
  let cause: unknown = error.cause;
  for (let depth = 0; cause instanceof Error && depth < 4; depth++) {
    if (cause.message && !text.includes(cause.message)) text += ` Cause: ${cause.message}`;
    cause = cause.cause;
  }
  return text;
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
