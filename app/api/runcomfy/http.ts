import type { Clock } from '../../lib/clock';
import { abortReason } from '../../lib/clock';
import { ApiError, InvalidInputError } from '../errors';
import { errorText, readErrorBody } from './schemas';

/** `fetch` as the client uses it; inject a fake in tests. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface HttpDeps {
  fetch: FetchLike;
  clock: Clock;
  /** Sent as `Authorization: Bearer …` only when given. */
  token?: string;
  /** Wall-clock ms (Date.now) for `Retry-After` HTTP dates; the Clock's origin is arbitrary. */
  wallNow: () => number;
}

export interface HttpReply {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON; undefined when the body is empty or not JSON (see `bodyIsJson`). */
  body: unknown;
  bodyIsJson: boolean;
}

/**
 * A request that got no answer. `not-sent`: the connection was never made (refused, DNS), so the
 * server surely did not see it; `failed`: it broke at an unknown point; `timeout`: no answer in time.
 */
export class TransportFailure extends Error {
  constructor(
    readonly kind: 'not-sent' | 'failed' | 'timeout',
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'TransportFailure';
  }
}

/** Error codes (Node/undici) that mean no connection was made, so nothing was sent. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** Whether a fetch failure surely happened before the request was sent. */
export function failedBeforeSending(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NOT_SENT_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Why a request's timeout timer is stopped: the work settled first. */
const ANSWERED = new Error('answered before the timeout');

/**
 * Runs `work` with a signal that aborts when `timeoutMs` pass on `clock` (rejecting with a
 * `TransportFailure('timeout')`) or when `signal` aborts (rejecting with its reason). Races the
 * work, so a fetch that ignores its signal cannot hang the caller.
 */
export async function withTimeout<T>(clock: Clock, timeoutMs: number, signal: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (signal?.aborted) throw abortReason(signal);
  const inner = new AbortController();
  const timer = new AbortController();
  let onAbort = () => undefined as void;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => {
      inner.abort(abortReason(signal!));
      reject(abortReason(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    clock.sleep(timeoutMs, timer.signal).then(
      () => {
        const failure = new TransportFailure('timeout', `no answer within ${Math.round(timeoutMs / 1000)} s`);
        inner.abort(failure);
        reject(failure);
      },
      () => undefined,
    );
  });
  stopped.catch(() => undefined);
  try {
    return await Promise.race([work(inner.signal), stopped]);
  } finally {
    // A shared reason: abort() without one builds a DOMException (and its stack) on every request.
    timer.abort(ANSWERED);
    signal?.removeEventListener('abort', onAbort);
  }
}

export interface ExchangeRequest {
  method: 'GET' | 'POST';
  url: string;
  body?: string;
  timeoutMs: number;
  /** Aborts the request in flight; omit for requests that must not be abandoned (submit). */
  signal?: AbortSignal;
}

/**
 * One JSON request/answer. Never follows redirects (one would carry the token to wherever it
 * points); a 3xx comes back as a reply for the caller to refuse.
 */
export function exchange(deps: HttpDeps, req: ExchangeRequest): Promise<HttpReply> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (req.body !== undefined) headers['Content-Type'] = 'application/json';
  if (deps.token) headers.Authorization = `Bearer ${deps.token}`;
  return withTimeout(deps.clock, req.timeoutMs, req.signal, async (signal) => {
    let res: Response;
    try {
      res = await deps.fetch(req.url, { method: req.method, headers, body: req.body, redirect: 'manual', signal });
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      const notSent = failedBeforeSending(e);
      throw new TransportFailure(notSent ? 'not-sent' : 'failed', notSent ? 'the connection was refused' : 'the connection failed', e);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      throw new TransportFailure('failed', 'the connection broke while reading the answer', e);
    }
    let body: unknown;
    let bodyIsJson = false;
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
        bodyIsJson = true;
      } catch {
        body = undefined;
      }
    }
    // A browser's manual redirect is an opaque response with status 0.
    const status = res.type === 'opaqueredirect' ? 302 : res.status;
    return { status, headers: res.headers, text, body, bodyIsJson };
  });
}

/** `Retry-After` as ms: delta-seconds or an HTTP date (against the answer's `Date`, else wall time). */
export function parseRetryAfter(headers: Headers, wallNow: () => number): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  // An HTTP date names its day and month ("Wed, 21 Oct 2015 07:28:00 GMT"); Date.parse alone would take "-3".
  const at = /[a-z]{3}/i.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(at)) return undefined;
  const dated = Date.parse(headers.get('date') ?? '');
  return Math.max(0, at - (Number.isNaN(dated) ? wallNow() : dated));
}

/** What a failed call was doing, for messages: "Submitting the job", "Reading request abc". */
export interface ReplyContext {
  what: string;
  requestId?: string;
  wallNow: () => number;
  /**
   * A read (status, result, cancel, catalog): an error RunComfy reports on a 2xx without a known
   * code is then retryable, because the job it is about may well be running (and billed).
   */
  read?: boolean;
}

type Kind = 'token' | 'forbidden' | 'balance' | 'not-found' | 'bad-id' | 'invalid' | 'timeout' | 'rate' | 'upstream' | 'other';

/** RunComfy's documented error codes; they win over the HTTP status. */
const API_CODE_KINDS: Readonly<Record<string, Kind>> = {
  '400001': 'bad-id',
  '400002': 'balance',
  '400004': 'token',
  '403001': 'forbidden',
  '404001': 'not-found',
};

/** Whether RunComfy's `error_code` definitely rejected a submit (so nothing was created). */
export function isKnownRejectionCode(apiCode: string | undefined): boolean {
  return apiCode !== undefined && apiCode in API_CODE_KINDS;
}

function kindOfStatus(status: number): Kind {
  if (status === 401) return 'token';
  if (status === 403) return 'forbidden';
  if (status === 402) return 'balance';
  if (status === 404 || status === 410) return 'not-found';
  if (status === 400 || status === 422) return 'invalid';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate';
  if (status >= 500) return 'upstream';
  return 'other';
}

/**
 * The typed error an answer stands for, or undefined when it is a success (a 2xx without
 * `error_code`). A 200 carrying `error_code` is an error, as on some RunComfy APIs.
 */
export function errorFromReply(reply: HttpReply, ctx: ReplyContext): ApiError | undefined {
  const ok = reply.status >= 200 && reply.status < 300;
  const { apiCode, text } = readErrorBody(reply.bodyIsJson ? reply.body : reply.text.slice(0, 300));
  if (ok && apiCode === undefined) return undefined;
  const init = {
    status: reply.status,
    ...(apiCode !== undefined ? { apiCode } : {}),
    ...(ctx.requestId !== undefined ? { requestId: ctx.requestId } : {}),
  };
  const said = text ? ` RunComfy says: "${text}".` : '';
  const tag = `(HTTP ${reply.status}${apiCode ? `, error_code ${apiCode}` : ''})`;
  const line = (summary: string, advice: string) => `${ctx.what} failed: ${summary} ${tag}.${said} ${advice}`.trim();
  if (reply.status >= 300 && reply.status < 400) {
    return new ApiError(
      'bad-response',
      line('the API answered with a redirect, which is not followed so the token stays on the API host', 'Check RUNCOMFY_BASE_URL.'),
      init,
    );
  }
  const kind = (apiCode !== undefined ? API_CODE_KINDS[apiCode] : undefined) ?? (ok ? 'other' : kindOfStatus(reply.status));
  const retryAfterMs = parseRetryAfter(reply.headers, ctx.wallNow);
  const wait = retryAfterMs !== undefined ? { retryAfterMs } : {};
  switch (kind) {
    case 'token':
      return new ApiError(
        'auth',
        line('the API token was rejected (missing, expired or revoked)', 'Set a valid RUNCOMFY_API_TOKEN from your RunComfy profile.'),
        init,
      );
    case 'forbidden':
      return new ApiError(
        'auth',
        line('access denied: the resource belongs to another RunComfy account, or the token may not use it', 'Use the token of the account that owns it.'),
        init,
      );
    case 'balance':
      return new ApiError('insufficient-balance', line('the RunComfy account balance is too low', 'Top up the account, then run again.'), init);
    case 'not-found':
      return new ApiError(
        'not-found',
        ctx.requestId !== undefined
          ? line(
              `request ${ctx.requestId} is unknown, deleted or expired at RunComfy`,
              'Its results can no longer be read; running again makes a new, paid request.',
            )
          : line('not found', 'Check RUNCOMFY_BASE_URL and the model id.'),
        init,
      );
    case 'bad-id':
      return new InvalidInputError(line('RunComfy did not recognise the model id or request id', 'Check the model id and the request id.'), [], init);
    case 'invalid':
      return new InvalidInputError(line('RunComfy rejected the input', 'Fix the field it names and run again.'), invalidIssues(reply.body), init);
    case 'timeout':
      return new ApiError('timeout', line('RunComfy timed out waiting for the request', 'Try again.'), { ...init, ...wait });
    case 'rate':
      return new ApiError(
        'rate-limited',
        line('too many requests', retryAfterMs !== undefined ? `RunComfy asks to wait ${Math.ceil(retryAfterMs / 1000)} s.` : 'Wait a little and try again.'),
        { ...init, ...wait },
      );
    case 'upstream':
      return new ApiError('upstream-unavailable', line('RunComfy is unavailable', 'This is on RunComfy\u2019s side; try again in a minute.'), {
        ...init,
        ...wait,
      });
    default:
      return new ApiError('api-error', line(ok ? 'RunComfy reported an error' : 'unexpected answer', 'See the message above.'), {
        ...init,
        ...(ok && ctx.read ? { retryable: true } : {}),
      });
  }
}

/** FastAPI-style `detail: [{loc, msg}]` as issues naming the field. */
function invalidIssues(body: unknown) {
  const detail = body && typeof body === 'object' ? (body as { detail?: unknown }).detail : undefined;
  if (!Array.isArray(detail)) return [];
  return detail.map((item) => {
    const loc = item && typeof item === 'object' && Array.isArray((item as { loc?: unknown }).loc) ? (item as { loc: unknown[] }).loc : [];
    const field = loc
      .filter((p) => p !== 'body')
      .map(String)
      .join('.');
    return { severity: 'error' as const, code: 'rejected-by-api', message: errorText(item) ?? 'invalid', ...(field ? { field } : {}) };
  });
}

/** The typed error for a request that got no answer. */
export function errorFromTransport(failure: TransportFailure, what: string, host: string, requestId?: string): ApiError {
  const init = { cause: failure.cause ?? failure, ...(requestId !== undefined ? { requestId } : {}) };
  if (failure.kind === 'timeout') return new ApiError('timeout', `${what} failed: ${host} sent ${failure.message}. Check the connection and try again.`, init);
  const why = failure.kind === 'not-sent' ? `could not connect to ${host}` : `the connection to ${host} failed`;
  return new ApiError('network', `${what} failed: ${why}. Check the network connection and RUNCOMFY_BASE_URL.`, init);
}
