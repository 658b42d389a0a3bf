import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_PROXY_BASE } from '../lib/app-config';
import { MAX_REQUEST_BODY_BYTES } from '../model/seedream';
import { redact, rawPathOf, rawQueryOf, refuseAndClose, sendError, sendJson } from './http-util';
import { matchProxyRoute, rewriteRequestUrls, upstreamUrlOf, type ProxyRoute } from './proxy-routes';
import { BodyAbortedError, BodyTooLargeError, readBody } from './read-body';
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
}

/** Upstream answers are small JSON documents; anything bigger is not one of them. */
const MAX_UPSTREAM_RESPONSE_BYTES = 8 * 1024 * 1024;
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

  return async function handleProxy(req: IncomingMessage, res: ServerResponse, ownOrigin: string): Promise<void> {
    const matched = matchProxyRoute(req.method ?? '', rawPathOf(req), rawQueryOf(req));
    if ('refusal' in matched) {
      const { status, code, message } = matched.refusal;
      return refuseAndClose(req, res, status, code, message);
    }
    const route = matched.route;

    let body: Buffer | undefined;
    if (route.kind === 'submit' || route.kind === 'cancel') {
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
      if ((route.kind === 'submit' || hasBody) && contentType !== 'application/json') {
        return refuseAndClose(req, res, 415, 'unsupported_media_type', 'The request body must be JSON (Content-Type: application/json).');
      }
      const encoding = req.headers['content-encoding'];
      if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
        return refuseAndClose(req, res, 415, 'unsupported_media_type', 'Compressed request bodies are not accepted.');
      }
      try {
        const raw = await readBody(req, route.kind === 'submit' ? maxBody : MAX_CANCEL_BODY_BYTES);
        if (route.kind === 'submit') body = raw;
        if ((route.kind === 'submit' || raw.length > 0) && !isJsonObject(raw)) {
          return sendError(res, 400, 'invalid_json', 'The request body is not a JSON object.');
        }
      } catch (e) {
        if (e instanceof BodyTooLargeError) {
          return refuseAndClose(req, res, 413, 'body_too_large', `The request body is larger than ${e.maxBytes} bytes.`);
        }
        if (e instanceof BodyAbortedError) return refuseAndClose(req, res, 400, 'body_incomplete', e.message);
        throw e;
      }
    }

    await forward(route, body, req, res, ownOrigin);
  };

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
      const snippet = redact(text.slice(0, 300), token);
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
