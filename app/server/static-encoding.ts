import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';

/** A content coding the static handler can send (RFC 9110 §8.4.1). */
export type ContentCoding = 'br' | 'gzip';

/** What the server prefers when a browser accepts several codings equally: br is smaller. */
export const CODINGS: readonly ContentCoding[] = ['br', 'gzip'];

/** File types worth compressing (text); images and fonts are compressed already. */
export const COMPRESSIBLE_EXTENSIONS: ReadonlySet<string> = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt', '.wasm', '.webmanifest']);

/** Below this size a compressed body saves less than its headers cost. */
export const MIN_COMPRESS_BYTES = 1024;

/** The file name a build writes next to `file` for `coding` (see vite.config.ts). */
export const precompressedName = (file: string, coding: ContentCoding): string => `${file}${coding === 'br' ? '.br' : '.gz'}`;

/**
 * The coding to send for an `Accept-Encoding` header, among `available` (in the server's order
 * of preference), or undefined for the file as it is. Follows RFC 9110 §12.5.3: q-values
 * (`br;q=0` refuses br), `*` for any coding not named; no header means no coding.
 */
export function negotiateCoding(header: string | undefined, available: readonly ContentCoding[]): ContentCoding | undefined {
  if (!header) return undefined;
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const weight = params.map((p) => /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/.exec(p)).find(Boolean);
    q.set(name, weight ? Number(weight[1]) : 1);
  }
  let best: ContentCoding | undefined;
  let bestQ = 0;
  for (const coding of available) {
    const weight = q.get(coding) ?? (coding === 'gzip' ? q.get('x-gzip') : undefined) ?? q.get('*') ?? 0;
    if (weight > bestQ) [best, bestQ] = [coding, weight];
  }
  return best;
}

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Compresses `bytes` as `coding`; `best` for build time (slow, smallest), otherwise fast enough for a first request. */
export function compress(bytes: Uint8Array, coding: ContentCoding, best = false): Promise<Buffer> {
  return coding === 'br'
    ? brotli(bytes, {
        params: {
          [zlib.BROTLI_PARAM_QUALITY]: best ? zlib.BROTLI_MAX_QUALITY : 6,
          [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
          [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length,
        },
      })
    : gzipAsync(bytes, { level: best ? 9 : 6 });
}

/**
 * Compressed bodies made on the fly, for built files without a precompressed copy next to them
 * (a build made before, or by other means). Kept per file, coding, size and mtime, so an
 * edited file is compressed again; the oldest go first past `maxBytes`. Requests arriving
 * while a body is being compressed share that work.
 */
export function createCompressedCache(options: { maxBytes?: number } = {}) {
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  const entries = new Map<string, Promise<Buffer>>();
  const sizes = new Map<string, number>();
  let total = 0;

  const evict = () => {
    for (const [key, size] of sizes) {
      if (total <= maxBytes) return;
      sizes.delete(key);
      entries.delete(key);
      total -= size;
    }
  };

  return function compressed(file: { path: string; size: number; mtimeMs: number }, coding: ContentCoding, read: () => Promise<Uint8Array>): Promise<Buffer> {
    const key = `${file.path}\0${coding}\0${file.size}\0${file.mtimeMs}`;
    const hit = entries.get(key);
    if (hit) return hit;
    const made = read().then((bytes) => compress(bytes, coding));
    entries.set(key, made);
    made.then(
      (body) => {
        if (entries.get(key) !== made) return;
        sizes.set(key, body.length);
        total += body.length;
        evict();
      },
      () => entries.delete(key),
    );
    return made;
  };
}
