import type { Clock } from '../../lib/clock';
import { declaredTooLarge, readCappedBody } from '../../lib/read-capped';
import { sniffImageMime } from '../../lib/image-info';
import { isLoopbackHost } from './client';
import { DownloadError } from '../errors';
import { withTimeout, TransportFailure, type FetchLike } from './http';
import { DOWNLOAD_RETRY, withRetry, type RetryPolicy } from '../retry';

/**
 * Downloading output images. Output links expire (1 h to days), so the bytes are kept. Only
 * https URLs on `*.runcomfy.net` or the API's own host are fetched (plain http only when the API
 * base itself is loopback, i.e. the simulator), never with the bearer token, never following a
 * redirect to a host outside the same rule, and never past a size cap.
 */

export interface DownloadOptions {
  fetch?: FetchLike;
  clock: Clock;
  /** The API base URL the client uses; its host is also allowed. */
  apiBaseUrl: string;
  /** Largest image accepted (default 64 MiB). */
  maxBytes?: number;
  /** Redirect hops followed, each to an allowed URL (default 3). */
  maxRedirects?: number;
  /** Per attempt, redirects included (default 120 s). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  random?: () => number;
  /**
   * Where to actually fetch an allowed URL from, e.g. the browser's same-origin asset proxy
   * (`assetProxyUrl`), which applies the same rules server-side. Default: the URL itself.
   */
  via?: (url: string) => string;
}

export const DEFAULT_MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024;

function apiHostOf(apiBaseUrl: string): URL | undefined {
  try {
    return new URL(apiBaseUrl, globalThis.location?.href);
  } catch {
    return undefined;
  }
}

/**
 * Whether an output URL may be fetched under the rules above. With `viaProxy` the bytes come
 * through the same-origin asset proxy, which applies the host rules itself (and knows the
 * simulator's address, which the browser does not), so any plain http(s) URL may be handed to it.
 */
export function isAllowedOutputUrl(url: URL, apiBaseUrl: string, viaProxy = false): boolean {
  if (url.username || url.password) return false;
  if (viaProxy) return url.protocol === 'https:' || url.protocol === 'http:';
  const api = apiHostOf(apiBaseUrl);
  const sameHostAsApi = api !== undefined && url.host === api.host;
  if (url.protocol === 'https:') {
    return sameHostAsApi || (url.port === '' && (url.hostname === 'runcomfy.net' || url.hostname.endsWith('.runcomfy.net')));
  }
  return url.protocol === 'http:' && sameHostAsApi && api.protocol === 'http:' && isLoopbackHost(api.hostname);
}

/** Downloads one output image; the bytes must be PNG, JPEG or WebP. Retries transient failures. */
export async function downloadOutput(href: string, o: DownloadOptions, signal?: AbortSignal): Promise<Uint8Array> {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw new DownloadError(`Output "${href.slice(0, 100)}" is not a valid URL; it cannot be downloaded.`, href, { retryable: false });
  }
  if (!isAllowedOutputUrl(url, o.apiBaseUrl, o.via !== undefined)) {
    throw new DownloadError(`Output ${href.slice(0, 200)} was not downloaded: only https URLs on *.runcomfy.net or the API's own host are fetched.`, href, {
      retryable: false,
    });
  }
  const doFetch = o.fetch ?? ((u: string, init: RequestInit) => globalThis.fetch(u, init));
  const maxBytes = o.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
  return withRetry(
    () =>
      withTimeout(o.clock, o.timeoutMs ?? 120_000, signal, (s) => fetchFollowing(doFetch, url, o, maxBytes, s)).catch((e: unknown) => {
        if (e instanceof TransportFailure) throw new DownloadError(`Downloading ${href.slice(0, 200)} failed: no answer in time.`, href, { retryable: true });
        throw e;
      }),
    { policy: { ...DOWNLOAD_RETRY, ...o.retry }, clock: o.clock, random: o.random ?? Math.random, ...(signal ? { signal } : {}) },
  );
}

async function fetchFollowing(doFetch: FetchLike, start: URL, o: DownloadOptions, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  let url = start;
  const fail: Fail = (why, retryable = false, status, expired) =>
    new DownloadError(`Downloading ${start.href.slice(0, 200)} failed: ${why}.`, start.href, {
      retryable,
      ...(status !== undefined ? { status } : {}),
      ...(expired ? { expired } : {}),
    });
  for (let hop = 0; ; hop++) {
    let res: Response;
    try {
      const target = o.via ? o.via(url.href) : url.href;
      res = await doFetch(target, { method: 'GET', headers: { Accept: 'image/png, image/jpeg, image/webp' }, redirect: 'manual', credentials: 'omit', signal });
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      throw fail('the image host could not be reached', true);
    }
    if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
      await res.body?.cancel();
      const location = res.headers.get('location');
      if (!location) throw fail('the host redirected without saying where to');
      if (hop >= (o.maxRedirects ?? 3)) throw fail('too many redirects');
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw fail('the host redirected to an invalid URL');
      }
      if (!isAllowedOutputUrl(next, o.apiBaseUrl, o.via !== undefined)) throw fail(`the host redirected to ${next.host}, which is not an allowed host`);
      url = next;
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      if ([403, 404, 410].includes(res.status)) throw fail(`HTTP ${res.status}: the link has probably expired`, false, res.status, true);
      throw fail(`HTTP ${res.status}`, res.status >= 500 || res.status === 429 || res.status === 408, res.status);
    }
    return readCapped(res, maxBytes, fail, signal);
  }
}

type Fail = (why: string, retryable?: boolean, status?: number, expired?: boolean) => DownloadError;

async function readCapped(res: Response, maxBytes: number, fail: Fail, signal: AbortSignal): Promise<Uint8Array> {
  if (declaredTooLarge(res.headers, maxBytes)) {
    await res.body?.cancel();
    throw fail(`the image is ${res.headers.get('content-length')} bytes, over the ${maxBytes}-byte cap`);
  }
  let read: Awaited<ReturnType<typeof readCappedBody>>;
  try {
    read = await readCappedBody(res.body, maxBytes);
  } catch (e) {
    if (signal.aborted) throw e;
    throw fail('the download broke off', true);
  }
  if (!read.ok) throw fail(`the image is over the ${maxBytes}-byte cap`);
  const { bytes } = read;
  if (!sniffImageMime(bytes)) throw fail('the bytes are not a PNG, JPEG or WebP image');
  return bytes;
}
