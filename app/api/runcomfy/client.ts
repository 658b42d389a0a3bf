import { abortReason, realClock, type Clock } from '../../lib/clock';
import { SEEDREAM_MODEL_ID, type SeedreamInput } from '../../model/seedream';
import { ApiError, redactSecret, scrubError, UnknownSubmissionError } from '../errors';
import { READ_RETRY, SUBMIT_RETRY, withRetry, type RetryPolicy } from '../retry';
import { errorFromReply, errorFromTransport, exchange, isKnownRejectionCode, TransportFailure, type FetchLike, type HttpDeps, type HttpReply } from './http';
import { checkBodySize, checkSeedreamInput, inputError } from './input-checks';
import { parseCancel, parseCatalog, parseResult, parseStatus, zSubmitResponse } from './schemas';
import { summariseSent } from './seedream-wire';
import type { CancelResult, CatalogInfo, JobResult, JobStatus } from './schemas';

/** What this project's API proxy answers (503) when it refuses an upload before forwarding it. */
export const PROXY_BUSY_CODE = 'proxy_server_busy';

/** RunComfy's Model API, used when `RUNCOMFY_BASE_URL` is not set. */
export const DEFAULT_BASE_URL = 'https://model-api.runcomfy.net/v1';

export interface ClientTimeouts {
  /** Submit: this much, plus `submitMsPerMiB` for each MiB of body (uploads of up to 64 MiB). */
  submitMs: number;
  submitMsPerMiB: number;
  /** Status, result, cancel, catalog: small answers; a hung read is retried. */
  readMs: number;
}
export const DEFAULT_TIMEOUTS: ClientTimeouts = { submitMs: 120_000, submitMsPerMiB: 4_000, readMs: 30_000 };

export interface RunComfyClientOptions {
  fetch?: FetchLike;
  /** Default {@link DEFAULT_BASE_URL}; the browser passes its same-origin proxy (`/api/v1`). */
  baseUrl?: string;
  /** Bearer token; omitted when not supplied (the browser's proxy adds it server-side). */
  token?: string;
  clock?: Clock;
  /** In [0, 1), for retry jitter; tests pass a constant. */
  random?: () => number;
  /** Wall-clock ms for `Retry-After` dates. */
  wallNow?: () => number;
  modelId?: string;
  readRetry?: Partial<RetryPolicy>;
  submitRetry?: Partial<RetryPolicy>;
  timeouts?: Partial<ClientTimeouts>;
}

export interface SubmittedJob {
  requestId: string;
  /** Clock time the accepted submit was sent. */
  submittedAt: number;
}

/** Per call: the signal, and a retry policy replacing the client's (`{maxAttempts: 1}`: one exchange). */
export interface ReadOptions {
  signal?: AbortSignal;
  retry?: Partial<RetryPolicy>;
}

const configError = (message: string) => new ApiError('config', message);

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;
/** Whether a URL's host is this machine (where plain http is acceptable). */
export const isLoopbackHost = (hostname: string) => LOOPBACK.test(hostname);

/** The base URL without trailing slashes, refusing settings that would leak the token. */
function checkBaseUrl(base: string, token: string | undefined): string {
  const trimmed = base.trim().replace(/\/+$/, '');
  if (trimmed.startsWith('/')) {
    if (token)
      throw configError('A relative API base URL is for the browser\u2019s same-origin proxy, which holds the token; do not give the client a token too.');
    return trimmed;
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw configError(`RUNCOMFY_BASE_URL is not a URL: "${trimmed.slice(0, 100)}".`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw configError('RUNCOMFY_BASE_URL must be an https:// URL.');
  if (url.protocol === 'http:' && token && !isLoopbackHost(url.hostname)) {
    throw configError('RUNCOMFY_BASE_URL must be https:// when a token is used (http:// only for localhost), or the token would travel in clear text.');
  }
  if (url.username || url.password || url.search || url.hash) throw configError('RUNCOMFY_BASE_URL must not contain credentials, a query or a fragment.');
  return trimmed;
}

/**
 * The RunComfy Model API client: submit, status, result (with cost), cancel and catalog, with
 * typed errors. Reads retry transient failures (bounded, with backoff and jitter, honouring
 * `Retry-After`); a submit is resent only when it surely was not accepted (429, connection
 * refused), and anything ambiguous becomes an {@link UnknownSubmissionError}. A submit in flight is
 * never abandoned: abandoning cannot un-create a job, only lose its id. Nothing it throws
 * contains the token.
 */
export class RunComfyClient {
  readonly baseUrl: string;
  readonly modelId: string;
  /** The clock its timeouts and retry waits run on (shared with downloads). */
  readonly clock: Clock;
  private readonly http: HttpDeps;
  private readonly random: () => number;
  private readonly readRetry: RetryPolicy;
  private readonly submitRetry: RetryPolicy;
  private readonly timeouts: ClientTimeouts;
  private readonly host: string;

  constructor(o: RunComfyClientOptions = {}) {
    const token = o.token?.trim() || undefined;
    this.baseUrl = checkBaseUrl(o.baseUrl ?? DEFAULT_BASE_URL, token);
    this.host = this.baseUrl.startsWith('/') ? 'the API proxy' : new URL(this.baseUrl).host;
    this.modelId = o.modelId ?? SEEDREAM_MODEL_ID;
    this.clock = o.clock ?? realClock;
    this.random = o.random ?? Math.random;
    this.readRetry = { ...READ_RETRY, ...o.readRetry };
    this.submitRetry = { ...SUBMIT_RETRY, ...o.submitRetry };
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...o.timeouts };
    const fetchImpl = o.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.http = { fetch: fetchImpl, clock: this.clock, wallNow: o.wallNow ?? Date.now, ...(token ? { token } : {}) };
  }

  /** Request URLs are always built from the base URL, never taken from answers (the token goes there). */
  requestUrl(requestId: string, action: 'status' | 'result' | 'cancel'): string {
    return `${this.baseUrl}/requests/${encodeURIComponent(requestId)}/${action}`;
  }

  /** `model_id` verbatim, slashes included. */
  get modelUrl(): string {
    return `${this.baseUrl}/models/${this.modelId}`;
  }

  /**
   * Checks every input rule, then submits once. `signal` aborts only before sending and between
   * safe resends. Throws InvalidInputError (nothing sent), UnknownSubmissionError (may exist:
   * never resend blindly), or the typed rejection.
   */
  async submit(
    input: SeedreamInput,
    options: {
      signal?: AbortSignal;
      imageLabels?: readonly (string | undefined)[];
      /** The provider's `prepare` already checked (and decoded) every image: do not decode them again. */
      prechecked?: boolean;
    } = {},
  ): Promise<SubmittedJob> {
    return this.guard(async () => {
      if (options.signal?.aborted) throw abortReason(options.signal);
      const checked = options.prechecked ? { input, issues: [] } : checkSeedreamInput(input, options.imageLabels);
      if (!checked.input) throw inputError(checked.issues);
      const body = JSON.stringify(checked.input);
      const bodyBytes = new TextEncoder().encode(body).byteLength;
      const tooBig = checkBodySize(bodyBytes);
      if (tooBig.length > 0) throw inputError(tooBig);
      const sent = summariseSent(checked.input, this.modelUrl, bodyBytes);
      const timeoutMs = this.timeouts.submitMs + Math.ceil((bodyBytes / 2 ** 20) * this.timeouts.submitMsPerMiB);
      const what = 'Submitting the job';
      return withRetry(
        async () => {
          const sentAt = this.clock.now();
          const sentAtWall = this.http.wallNow();
          const unknown = (why: string, init: { status?: number; requestId?: string; cause?: unknown } = {}) =>
            new UnknownSubmissionError(
              `Unknown submission \u2014 it may have been created (and billed): ${why}. It was not resent. ` +
                `Check your RunComfy request history around ${new Date(sentAtWall).toISOString()} before submitting again.`,
              sent,
              sentAtWall,
              init,
            );
          let reply: HttpReply;
          try {
            reply = await exchange(this.http, { method: 'POST', url: this.modelUrl, body, timeoutMs });
          } catch (e) {
            if (!(e instanceof TransportFailure)) throw e;
            if (e.kind === 'not-sent') throw errorFromTransport(e, what, this.host);
            throw unknown(e.kind === 'timeout' ? `RunComfy sent ${e.message}` : `${e.message} after the request was sent`, { cause: e.cause ?? e });
          }
          const { status } = reply;
          const error = errorFromReply(reply, { what, wallNow: this.http.wallNow });
          const parsed = reply.bodyIsJson ? zSubmitResponse.safeParse(reply.body) : undefined;
          const requestId = parsed?.success ? parsed.data.request_id : undefined;
          if (status >= 200 && status < 300) {
            if (error) {
              // A documented rejection code without an id: surely not created. Anything else: unknown.
              if (requestId === undefined && isKnownRejectionCode(error.apiCode)) throw error;
              throw unknown(`the API answered HTTP ${status} with error_code ${error.apiCode}${requestId ? ` and request id ${requestId}` : ''}`, {
                status,
                ...(requestId ? { requestId } : {}),
                cause: error,
              });
            }
            if (requestId === undefined) throw unknown(`the API answered HTTP ${status} without a request id`, { status });
            return { requestId, submittedAt: sentAt };
          }
          // Our own proxy refusing before forwarding ("busy": it already buffers its limit of uploads):
          // nothing reached RunComfy, so this is a wait-and-resend, like a 429.
          if (status === 503 && error?.apiCode === PROXY_BUSY_CODE) {
            throw new ApiError('rate-limited', error.message, {
              status,
              apiCode: PROXY_BUSY_CODE,
              ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
            });
          }
          if ((status >= 300 && status < 400) || status >= 500)
            throw unknown(`the API answered HTTP ${status}`, { status, ...(error ? { cause: error } : {}) });
          throw error ?? new ApiError('api-error', `${what} failed: unexpected HTTP ${status}.`, { status });
        },
        {
          policy: this.submitRetry,
          clock: this.clock,
          random: this.random,
          ...(options.signal ? { signal: options.signal } : {}),
          // Only what surely was not accepted: 429 and connection refused.
          mayRetry: (e) => e.code === 'rate-limited' || e.code === 'network',
        },
      );
    }, options.signal);
  }

  /** The status endpoint: state and queue position. */
  status(requestId: string, options: ReadOptions = {}): Promise<JobStatus> {
    return this.read('GET', this.requestUrl(requestId, 'status'), `Reading the status of request ${requestId}`, requestId, options, (b) =>
      parseStatus(b, requestId),
    ).then((s) => this.withoutToken(s));
  }

  /** The result endpoint (with `include_cost=true`): current state while unfinished, outputs when done. */
  result(requestId: string, options: ReadOptions = {}): Promise<JobResult> {
    const url = `${this.requestUrl(requestId, 'result')}?include_cost=true`;
    return this.read('GET', url, `Reading the result of request ${requestId}`, requestId, options, (b) => parseResult(b, requestId)).then((r) =>
      this.withoutToken(r),
    );
  }

  /** Asks RunComfy to cancel; only queued jobs can be (`not_cancellable` = running, billed). */
  cancel(requestId: string, options: ReadOptions = {}): Promise<CancelResult> {
    return this.read('POST', this.requestUrl(requestId, 'cancel'), `Cancelling request ${requestId}`, requestId, options, (b) => parseCancel(b, requestId));
  }

  /** Catalog data of the model (`GET` on the model path): price per output image. */
  catalog(options: ReadOptions = {}): Promise<CatalogInfo> {
    return this.read('GET', this.modelUrl, `Reading the price of ${this.modelId}`, undefined, options, parseCatalog);
  }

  private read<T>(
    method: 'GET' | 'POST',
    url: string,
    what: string,
    requestId: string | undefined,
    { signal, retry }: ReadOptions,
    parse: (body: unknown) => { ok: true; value: T } | { ok: false; problem: string },
  ): Promise<T> {
    return this.guard(
      () =>
        withRetry(
          async () => {
            let reply: HttpReply;
            try {
              reply = await exchange(this.http, { method, url, timeoutMs: this.timeouts.readMs, ...(signal ? { signal } : {}) });
            } catch (e) {
              if (e instanceof TransportFailure) throw errorFromTransport(e, what, this.host, requestId);
              throw e;
            }
            const error = errorFromReply(reply, { what, wallNow: this.http.wallNow, read: true, ...(requestId !== undefined ? { requestId } : {}) });
            if (error) throw error;
            const parsed = reply.bodyIsJson || method === 'POST' ? parse(reply.body) : ({ ok: false, problem: 'the body is not JSON' } as const);
            if (!parsed.ok) {
              throw new ApiError(
                'bad-response',
                `${what} failed: RunComfy answered HTTP ${reply.status} with a body this client cannot read (${parsed.problem}). ` +
                  'The API may have changed; this is not retried.',
                { status: reply.status, ...(requestId !== undefined ? { requestId } : {}) },
              );
            }
            return parsed.value;
          },
          { policy: { ...this.readRetry, ...retry }, clock: this.clock, random: this.random, ...(signal ? { signal } : {}) },
        ),
      signal,
    );
  }

  /** The texts an answer carries verbatim (recorded and shown) never hold the token, even if echoed. */
  private withoutToken<T extends { rawState?: string; errorText?: string }>(value: T): T {
    const token = this.http.token;
    if (!token) return value;
    return {
      ...value,
      ...(value.rawState !== undefined ? { rawState: redactSecret(value.rawState, token) } : {}),
      ...(value.errorText !== undefined ? { errorText: redactSecret(value.errorText, token) } : {}),
    };
  }

  /** Everything thrown leaves without the token; aborts surface as the signal's reason. */
  private async guard<T>(work: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (signal?.aborted && !(e instanceof ApiError)) throw e;
      throw scrubError(e, this.http.token);
    }
  }
}

/** Estimated price: `base_price_usd × max images` (some hosts bill the maximum requested). */
export function estimateCostUsd(catalog: CatalogInfo, maxImages: number): number | undefined {
  return catalog.basePriceUsd === undefined ? undefined : Math.round(catalog.basePriceUsd * maxImages * 1e6) / 1e6;
}
