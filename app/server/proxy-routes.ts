import { API_PROXY_BASE } from '../lib/app-config';
import { SEEDREAM_MODEL_ID } from '../model/seedream';
import type { Refusal } from './request-guard';

/** A request id as the proxy accepts it in a path. Anything else never reaches RunComfy. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** The Model API calls the proxy forwards; everything else is refused. */
export type ProxyRoute =
  | { kind: 'submit' }
  | { kind: 'catalog' }
  | { kind: 'status'; id: string }
  | { kind: 'result'; id: string; includeCost: boolean | undefined }
  | { kind: 'cancel'; id: string };

const MODEL_PATH = `${API_PROXY_BASE}/models/${SEEDREAM_MODEL_ID}`;
const REQUESTS_PREFIX = `${API_PROXY_BASE}/requests/`;

const notAllowed = (message: string): Refusal => ({ status: 404, code: 'route_not_allowed', message });
const wrongMethod = (allow: string): Refusal => ({ status: 405, code: 'method_not_allowed', message: `Only ${allow} is allowed here.` });

/**
 * Matches a request against the allow-list, on the raw (still percent-encoded) path, so `%2F`,
 * `..` and friends simply fail to match: nothing is decoded, nothing is normalised, and the
 * upstream URL is rebuilt from constants and the validated id, never from the request path.
 */
export function matchProxyRoute(method: string, rawPath: string, rawQuery: string): { route: ProxyRoute } | { refusal: Refusal } {
  if (rawPath === MODEL_PATH) {
    if (rawQuery !== '') return { refusal: badQuery() };
    if (method === 'POST') return { route: { kind: 'submit' } };
    if (method === 'GET') return { route: { kind: 'catalog' } };
    return { refusal: wrongMethod('GET or POST') };
  }
  if (rawPath.startsWith(`${API_PROXY_BASE}/models/`)) {
    return { refusal: notAllowed(`Only the model ${SEEDREAM_MODEL_ID} is available through this server.`) };
  }
  if (rawPath.startsWith(REQUESTS_PREFIX)) {
    const parts = rawPath.slice(REQUESTS_PREFIX.length).split('/');
    const [id, action, ...rest] = parts;
    if (id === undefined || action === undefined || rest.length > 0 || !['status', 'result', 'cancel'].includes(action)) {
      return { refusal: notAllowed('Unknown request route: use /requests/{id}/status, /result or /cancel.') };
    }
    if (!REQUEST_ID_PATTERN.test(id)) {
      return { refusal: { status: 400, code: 'invalid_request_id', message: 'A request id is 1–128 letters, digits, "_" or "-".' } };
    }
    if (action === 'cancel') {
      if (method !== 'POST') return { refusal: wrongMethod('POST') };
      if (rawQuery !== '') return { refusal: badQuery() };
      return { route: { kind: 'cancel', id } };
    }
    if (method !== 'GET') return { refusal: wrongMethod('GET') };
    if (action === 'status') {
      if (rawQuery !== '') return { refusal: badQuery() };
      return { route: { kind: 'status', id } };
    }
    if (rawQuery === '') return { route: { kind: 'result', id, includeCost: undefined } };
    const m = /^include_cost=(true|false)$/.exec(rawQuery);
    if (!m) return { refusal: badQuery('Only ?include_cost=true|false is allowed here.') };
    return { route: { kind: 'result', id, includeCost: m[1] === 'true' } };
  }
  return { refusal: notAllowed('Unknown API route.') };
}

function badQuery(message = 'No query parameters are allowed here.'): Refusal {
  return { status: 400, code: 'query_not_allowed', message };
}

/** The upstream URL of a route, built from the configured base, constants and the validated id. */
export function upstreamUrlOf(route: ProxyRoute, upstreamBaseUrl: string): string {
  switch (route.kind) {
    case 'submit':
    case 'catalog':
      return `${upstreamBaseUrl}/models/${SEEDREAM_MODEL_ID}`;
    case 'status':
    case 'cancel':
      return `${upstreamBaseUrl}/requests/${route.id}/${route.kind}`;
    case 'result':
      return `${upstreamBaseUrl}/requests/${route.id}/result${route.includeCost === undefined ? '' : `?include_cost=${route.includeCost}`}`;
  }
}

const URL_KEYS = { status_url: 'status', result_url: 'result', cancel_url: 'cancel' } as const;

/**
 * Points `status_url`/`result_url`/`cancel_url` of an upstream reply at this server's proxy, so
 * a browser client that follows them stays on its own origin. A URL that is not one of the
 * upstream's request routes is rebuilt from `request_id`, or dropped (clients rebuild missing
 * URLs from the id, per the contract).
 */
export function rewriteRequestUrls(body: Record<string, unknown>, upstreamBaseUrl: string, proxyBaseUrl: string): void {
  const id = typeof body.request_id === 'string' && REQUEST_ID_PATTERN.test(body.request_id) ? body.request_id : undefined;
  for (const [key, action] of Object.entries(URL_KEYS)) {
    const value = body[key];
    if (value === undefined) continue;
    const rest = typeof value === 'string' && value.startsWith(`${upstreamBaseUrl}/`) ? value.slice(upstreamBaseUrl.length) : undefined;
    if (rest !== undefined && /^\/requests\/[A-Za-z0-9_-]{1,128}\/(status|result|cancel)(\?include_cost=(true|false))?$/.test(rest)) {
      body[key] = `${proxyBaseUrl}${rest}`;
    } else if (id !== undefined) {
      body[key] = `${proxyBaseUrl}/requests/${id}/${action}`;
    } else {
      delete body[key];
    }
  }
}
