import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_PROXY_BASE } from '../lib/app-config';
import { MAX_REQUEST_BODY_BYTES } from '../model/seedream';
import { clip, redact, redactCredentials, rawPathOf, rawQueryOf, refuseAndClose, sendError, sendJson } from './http-util';
import { matchProxyRoute, rewriteRequestUrls, upstreamUrlOf, type ProxyRoute } from './proxy-routes';
import { BodyBudget, type BodyReservation } from './body-budget';
import { BodyAbortedError, BodyBudgetExceededError, BodyTooLargeError, readBody } from './read-body';
import { findExcessNesting } from '../lib/json-nesting';
import { readCappedBody } from '../lib/read-capped';

export interface ModelApiProxyOptions {
  /** Upstream Model API base without trailing slash: RunComfy, or the simulator. */
  upstreamBaseUrl: string;
  /** Sent as `Authorization: Bearer <token>` upstream; never echoed to the browser. */
  token: string | undefined;
  fetch?: typeof fetch;
  /** Largest accepted request body (default: 64 MiB, the Model API's own cap). */
  maxBodyBytes?: number;
  /** How long to wait for RunComfy's answer (default 120 s: a 64 MiB submit takes a while). */
  upstreamTimeoutMs?: number;
  /**
   * The account of request bodies held in memory at once, shared by all requests (default: a
   * new {@link BodyBudget} of `MAX_BUFFERED_BODY_BYTES`, 192 MiB). Over it, requests get 503.
   */
  bodyBudget?: BodyBudget;
}

/**
 * What a refused-as-busy client is told to wait: about the time one large submit takes to pass
 * through to RunComfy and free its share of the budget.
 */
export const BUSY_RETRY_AFTER_SECONDS = 5;

/** Upstream answers are small JSON documents; anything bigger is not one of them. */
const MAX_UPSTREAM_RESPONSE_BYTES = 8 * 1024 * 1024;
/** How much of a non-JSON upstream answer (a gateway page) the browser is shown, after redaction. */
const MAX_UPSTREAM_SNIPPET_CHARS = 300;
/**
 * Model API replies nest a few levels; scrubbing and re-serialising recurse, so a hostile reply
 * nested thousands deep would overflow the stack instead of getting an answer.
 */
const MAX_UPSTREAM_NESTING = 64;
/** A cancel carries no body; allow a stray `{}` and nothing big. */
const MAX_CANCEL_BODY_BYTES = 1024;

/**
 * The `/api/v1/*` handler: forwards the allow-listed Model API calls ({@link matchProxyRoute})
 * to the upstream with the token added server-side, and answers everything else itself.
 * Request headers are not forwarded (only our own Content-Type/Accept/Authorization are sent);
 * response headers are not forwarded either (only Retry-After); JSON replies are re-serialised
 * with the token scrubbed and request URLs pointed back at this proxy.
 * The caller has already checked Host and Origin.
 */
export function createModelApiProxy(options: ModelApiProxyOptions) {
  const doFetch = options.fetch ?? globalThis.fetch;
  const maxBody = options.maxBodyBytes ?? MAX_REQUEST_BODY_BYTES;
  const timeoutMs = options.upstreamTimeoutMs ?? 120_000;
  const token = options.token;
  const bodyBudget = options.bodyBudget ?? new BodyBudget();

  return async function handleProxy(req: IncomingMessage, res: ServerResponse, ownOrigin: string): Promise<void> {
    const matched = matchProxyRoute(req.method ?? '', rawPathOf(req), rawQueryOf(req));
    if ('refusal' in matched) {
      const { status, code, message } = matched.refusal;
      return refuseAndClose(req, res, status, code, message);
    }
    const route = matched.route;

    const reservation = bodyBudget.open();
    try {
      const body = await readRouteBody(route, req, res, reservation);
      if (body === 'answered') return;
      await forward(route, body, req, res, ownOrigin);
    } finally {
      // The body is held until the upstream has answered (or the upload broke off): only then is it gone.
      reservation.release();
    }
  };

  /** The submit body (undefined for other routes), or 'answered' when the request was refused. */
  async function readRouteBody(
    route: ProxyRoute,
    req: IncomingMessage,
    res: ServerResponse,
    reservation: BodyReservation,
  ): Promise<Buffer | undefined | 'answered'> {
    if (route.kind !== 'submit' && route.kind !== 'cancel') return undefined;
    const refuse = (status: number, code: string, message: string, headers?: Record<string, string>): 'answered' => {
      refuseAndClose(req, res, status, code, message, headers);
      return 'answered';
    };
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if ((route.kind === 'submit' || hasBody) && contentType !== 'application/json') {
      return refuse(415, 'unsupported_media_type', 'The request body must be JSON (Content-Type: application/json).');
    }
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
      return refuse(415, 'unsupported_media_type', 'Compressed request bodies are not accepted.');
    }
    let raw: Buffer;
    try {
      // A cancel (at most 1 KiB) is never refused as busy: it is what stops a job from being billed.
      raw = route.kind === 'submit' ? await readBody(req, maxBody, reservation) : await readBody(req, MAX_CANCEL_BODY_BYTES);
    } catch (e) {
      if (e instanceof BodyTooLargeError) return refuse(413, 'body_too_large', `The request body is larger than ${e.maxBytes} bytes.`);
      if (e instanceof BodyAbortedError) return refuse(400, 'body_incomplete', e.message);
      if (e instanceof BodyBudgetExceededError) {
        const mib = Math.round(bodyBudget.capBytes / 1048576);
        return refuse(
          503,
          'server_busy',
          `This server is busy: with this upload it would hold more than ${mib} MiB of request bodies at once. Nothing was sent to RunComfy; try again in ${BUSY_RETRY_AFTER_SECONDS} s.`,
          { 'Retry-After': String(BUSY_RETRY_AFTER_SECONDS) },
        );
      }
      throw e;
    }
    if ((route.kind === 'submit' || raw.length > 0) && !isJsonObject(raw)) {
      sendError(res, 400, 'invalid_json', 'The request body is not a JSON object.');
      return 'answered';
    }
    return route.kind === 'submit' ? raw : undefined;
  }

  async function forward(route: ProxyRoute, body: Buffer | undefined, req: IncomingMessage, res: ServerResponse, ownOrigin: string): Promise<void> {
    const clientGone = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) clientGone.abort();
    };
    res.once('close', onClose);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body) headers['Content-Type'] = 'application/json';

    let upstream: Response;
    try {
      upstream = await doFetch(upstreamUrlOf(route, options.upstreamBaseUrl), {
        method: route.kind === 'submit' || route.kind === 'cancel' ? 'POST' : 'GET',
        headers,
        ...(body ? { body: new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength) } : {}),
        // A redirect would carry the token to wherever it points; never follow one.
        redirect: 'manual',
        signal: AbortSignal.any([clientGone.signal, AbortSignal.timeout(timeoutMs)]),
      });
    } catch (e) {
      res.off('close', onClose);
      if (clientGone.signal.aborted) return;
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      const ambiguity = route.kind === 'submit' ? ' The submission may or may not have been accepted.' : '';
      return timedOut
        ? sendError(res, 504, 'upstream_timeout', `The Model API did not answer in time.${ambiguity}`)
        : sendError(res, 502, 'upstream_unreachable', `The Model API could not be reached.${ambiguity}`);
    }
    res.off('close', onClose);

    if (upstream.status >= 300 && upstream.status < 400) {
      await upstream.body?.cancel();
      return sendError(res, 502, 'upstream_redirect', 'The Model API answered with a redirect, which is not followed.');
    }
    const extra: Record<string, string> = {};
    const retryAfter = upstream.headers.get('retry-after');
    if (retryAfter !== null && isRetryAfter(retryAfter) && !(token && retryAfter.includes(token))) extra['Retry-After'] = retryAfter.trim();
    let text: string | undefined;
    try {
      text = await readLimitedText(upstream, MAX_UPSTREAM_RESPONSE_BYTES);
    } catch {
      if (res.destroyed) return;
      return sendError(res, 502, 'upstream_unreachable', 'The Model API connection broke while answering.', extra);
    }
    if (text === undefined) {
      return sendError(res, 502, 'upstream_response_too_large', 'The Model API answer was unexpectedly large.', extra);
    }
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      const snippet = clip(redactCredentials(text, token), MAX_UPSTREAM_SNIPPET_CHARS);
      return sendJson(
        res,
        upstream.status >= 400 ? upstream.status : 502,
        {
          error_code: 'proxy_upstream_not_json',
          error_message: `The Model API answered HTTP ${upstream.status} with a non-JSON body: ${snippet}`,
        },
        extra,
      );
    }
    if (findExcessNesting(parsed, MAX_UPSTREAM_NESTING)) {
      const ambiguity = route.kind === 'submit' ? ' The submission may or may not have been accepted.' : '';
      return sendError(res, 502, 'upstream_response_too_deep', `The Model API answer is nested too deep to be one of its replies.${ambiguity}`, extra);
    }
    const clean = scrubSecret(parsed, token);
    if (clean !== null && typeof clean === 'object' && !Array.isArray(clean)) {
      rewriteRequestUrls(clean as Record<string, unknown>, options.upstreamBaseUrl, `${ownOrigin}${API_PROXY_BASE}`);
    }
    sendJson(res, upstream.status, clean, extra);
  }
}

function isJsonObject(raw: Buffer): boolean {
  try {
    const v: unknown = JSON.parse(raw.toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  } catch {
    return false;
  }
}

function isRetryAfter(value: string): boolean {
  const v = value.trim();
  return /^\d{1,7}$/.test(v) || (v.length < 64 && /^[A-Za-z0-9 ,:-]+$/.test(v) && !Number.isNaN(Date.parse(v)));
}

/** The response text, or undefined when it is longer than `maxBytes`. */
async function readLimitedText(response: Response, maxBytes: number): Promise<string | undefined> {
  const read = await readCappedBody(response.body, maxBytes);
  return read.ok ? new TextDecoder().decode(read.bytes) : undefined;
}

/**
 * A deep copy of a JSON value with every occurrence of `secret` in strings and keys replaced.
 * Defence in depth: RunComfy has no reason to echo a token, but if an error message ever does,
 * the browser still never sees it.
 */
export function scrubSecret(value: unknown, secret: string | undefined): unknown {
  if (!secret) return value;
  if (typeof value === 'string') return redact(value, secret);
  if (Array.isArray(value)) return value.map((v) => scrubSecret(v, secret));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // defineProperty, not assignment: a "__proto__" key must stay a plain key.
      Object.defineProperty(out, redact(k, secret), { value: scrubSecret(v, secret), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}
