import type { IncomingMessage, ServerResponse } from 'node:http';
import { sniffImageMime, type ImageMime } from '../lib/image-info';
import { rawQueryOf, sendError } from './http-util';
import { declaredTooLarge, readCappedBody } from '../lib/read-capped';

/** Where result images may be downloaded from, and how much. */
export interface ImageDownloadRules {
  /**
   * `host[:port]` of the configured Model API (https only), e.g. `model-api.runcomfy.net`.
   * `*.runcomfy.net` over https on the default port is always allowed.
   */
  apiHost?: string;
  /** Exact origins also allowed, http included: the in-process simulator on loopback. */
  extraOrigins?: readonly string[];
  /** Largest image accepted (default 64 MiB). */
  maxBytes?: number;
  /** Redirects followed, each to an allowed URL (default 3). */
  maxRedirects?: number;
  /** Whole download, redirects included (default 60 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export type ImageDownloadErrorCode =
  'url_not_allowed' | 'redirect_not_allowed' | 'too_many_redirects' | 'too_large' | 'not_an_image' | 'not_found' | 'upstream_status' | 'unreachable';

/** A refused or failed download; `status` is what the asset route answers with. */
export class ImageDownloadError extends Error {
  constructor(
    readonly code: ImageDownloadErrorCode,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ImageDownloadError';
  }
}

export interface DownloadedImage {
  bytes: Uint8Array;
  /** From the bytes' magic numbers, never from the remote Content-Type. */
  mime: ImageMime;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const ACCEPTED_DECLARED_TYPES = new Set(['image/png', 'image/jpeg', 'image/jpg', 'image/webp', 'application/octet-stream', 'binary/octet-stream']);

/** Whether the download rules allow fetching `url` (no credentials, https, allowed host). */
export function isAllowedImageUrl(url: URL, rules: Pick<ImageDownloadRules, 'apiHost' | 'extraOrigins'>): boolean {
  if (url.username !== '' || url.password !== '') return false;
  if (rules.extraOrigins?.includes(url.origin)) return true;
  if (url.protocol !== 'https:') return false;
  if (rules.apiHost !== undefined && url.host === rules.apiHost.toLowerCase()) return true;
  return url.port === '' && url.hostname.endsWith('.runcomfy.net');
}

/**
 * A downloader for result images that only talks to allowed hosts: every redirect hop is
 * checked before it is followed, the size is capped while the bytes arrive, and the bytes must
 * be PNG, JPEG or WebP. No token or cookie is ever sent. The server's asset route uses it; a
 * Node host (CLI) can use it as its remote image fetcher too.
 */
export function createImageDownloader(rules: ImageDownloadRules = {}) {
  const doFetch = rules.fetch ?? globalThis.fetch;
  const maxBytes = rules.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxRedirects = rules.maxRedirects ?? 3;
  const timeoutMs = rules.timeoutMs ?? 60_000;

  return async function downloadImage(href: string, signal?: AbortSignal): Promise<DownloadedImage> {
    let url: URL;
    try {
      url = new URL(href);
    } catch {
      throw new ImageDownloadError('url_not_allowed', 400, 'Not a valid URL.');
    }
    if (!isAllowedImageUrl(url, rules)) {
      throw new ImageDownloadError('url_not_allowed', 403, 'Only https URLs on *.runcomfy.net or the configured API host can be downloaded.');
    }
    const deadline = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;

    for (let hop = 0; ; hop++) {
      let response: Response;
      try {
        response = await doFetch(url, {
          redirect: 'manual',
          signal: combined,
          headers: { Accept: 'image/png, image/jpeg, image/webp' },
          credentials: 'omit',
        });
      } catch (e) {
        if (signal?.aborted) throw e;
        throw new ImageDownloadError('unreachable', deadline.aborted ? 504 : 502, 'The image host could not be reached.');
      }
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel();
        const location = response.headers.get('location');
        if (location === null) throw new ImageDownloadError('upstream_status', 502, 'The image host redirected without a Location.');
        if (hop >= maxRedirects) throw new ImageDownloadError('too_many_redirects', 502, 'The image host redirected too many times.');
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw new ImageDownloadError('redirect_not_allowed', 502, 'The image host redirected to an invalid URL.');
        }
        if (!isAllowedImageUrl(next, rules)) {
          throw new ImageDownloadError('redirect_not_allowed', 502, 'The image host redirected to a host that is not allowed.');
        }
        url = next;
        continue;
      }
      return readImage(response, maxBytes, signal);
    }
  };
}

async function readImage(response: Response, maxBytes: number, signal: AbortSignal | undefined): Promise<DownloadedImage> {
  if (!response.ok) {
    await response.body?.cancel();
    // Expired result links answer 403/404/410 on object stores: tell the browser "gone".
    if ([403, 404, 410].includes(response.status))
      throw new ImageDownloadError('not_found', 404, `The image is no longer available (HTTP ${response.status}).`);
    throw new ImageDownloadError('upstream_status', 502, `The image host answered HTTP ${response.status}.`);
  }
  const declared = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (declared !== '' && !ACCEPTED_DECLARED_TYPES.has(declared)) {
    await response.body?.cancel();
    throw new ImageDownloadError('not_an_image', 415, 'The URL does not point at a PNG, JPEG or WebP image.');
  }
  const tooLarge = () => new ImageDownloadError('too_large', 413, `The image is larger than ${maxBytes} bytes.`);
  if (declaredTooLarge(response.headers, maxBytes)) {
    await response.body?.cancel();
    throw tooLarge();
  }
  let read: Awaited<ReturnType<typeof readCappedBody>>;
  try {
    read = await readCappedBody(response.body, maxBytes);
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new ImageDownloadError('unreachable', 502, 'The image download broke off.');
  }
  if (!read.ok) throw tooLarge();
  const bytes = Buffer.from(read.bytes.buffer, read.bytes.byteOffset, read.bytes.byteLength);
  const mime = sniffImageMime(bytes);
  if (!mime) throw new ImageDownloadError('not_an_image', 415, 'The downloaded bytes are not a PNG, JPEG or WebP image.');
  return { bytes, mime };
}

/**
 * `GET /api/assets?url=<encoded URL>`: downloads an allowed result image for the browser, which
 * cannot fetch other origins under our CSP. The answer's Content-Type comes from the bytes.
 */
export function createAssetProxyHandler(download: ReturnType<typeof createImageDownloader>) {
  return async function handleAsset(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET') {
      return sendError(res, 405, 'method_not_allowed', 'Only GET is allowed here.', { Allow: 'GET' });
    }
    const params = new URLSearchParams(rawQueryOf(req));
    const urls = params.getAll('url');
    if (urls.length !== 1 || [...params.keys()].some((k) => k !== 'url')) {
      return sendError(res, 400, 'query_not_allowed', 'Give exactly one `url` query parameter.');
    }
    const clientGone = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) clientGone.abort();
    };
    res.once('close', onClose);
    try {
      const { bytes, mime } = await download(urls[0]!, clientGone.signal);
      res.writeHead(200, {
        'Content-Type': mime,
        'Content-Length': String(bytes.byteLength),
        'Cache-Control': 'private, max-age=3600',
        // The bytes are only ever an image; nothing in them may run or load anything.
        'Content-Security-Policy': "default-src 'none'; sandbox",
      });
      res.end(bytes);
    } catch (e) {
      if (clientGone.signal.aborted) return;
      if (e instanceof ImageDownloadError) return sendError(res, e.status, e.code, e.message);
      throw e;
    } finally {
      res.off('close', onClose);
    }
  };
}
