import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { rawPathOf } from './http-util';
import {
  CODINGS,
  COMPRESSIBLE_EXTENSIONS,
  createCompressedCache,
  MIN_COMPRESS_BYTES,
  negotiateCoding,
  precompressedName,
  type ContentCoding,
} from './static-encoding';

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
};

/** Vite names built files `name-<hash>.ext`; those never change, so browsers may keep them. */
const HASHED_ASSET = /^assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

interface StaticFile {
  path: string;
  size: number;
  mtime: Date;
}

/** What is sent for one request: the file itself, a precompressed copy beside it, or bytes compressed here. */
type Body = { coding?: undefined; file: StaticFile } | { coding: ContentCoding; file: StaticFile } | { coding: ContentCoding; bytes: Buffer };

/**
 * Serves the built editor from `root` (Vite's `dist/`): GET/HEAD only, `/` → `index.html`,
 * hashed files under `assets/` cached for a year, everything else revalidated. Paths are decoded
 * once and must stay inside `root` (after resolving symlinks); dot-files are never served.
 * Text files go out compressed when the browser accepts it (`Accept-Encoding`, br before gzip):
 * the `.br`/`.gz` copy the build wrote beside the file when it is not older than the file,
 * otherwise compressed here once and kept. Every answer names its representation: `Vary:
 * Accept-Encoding`, an ETag per file version and coding (`If-None-Match` answers 304), the
 * Content-Length of the bytes actually sent.
 */
export function createStaticHandler(options: { root: string }) {
  const root = resolve(options.root);
  const compressed = createCompressedCache();

  /** The body to send for `file`: compressed when the type is worth it and the browser accepts it. */
  async function bodyFor(req: IncomingMessage, rel: string, file: StaticFile): Promise<Body> {
    if (!COMPRESSIBLE_EXTENSIONS.has(extname(rel).toLowerCase()) || file.size < MIN_COMPRESS_BYTES) return { file };
    const coding = negotiateCoding(req.headers['accept-encoding'], CODINGS);
    if (!coding) return { file };
    const copy = await resolveFile(root, precompressedName(rel, coding));
    if (copy && copy.mtime >= file.mtime) return { coding, file: copy };
    const bytes = await compressed({ path: file.path, size: file.size, mtimeMs: file.mtime.getTime() }, coding, () => readFile(file.path));
    // A file that does not shrink (already compressed inside) goes out as it is.
    return bytes.length < file.size ? { coding, bytes } : { file };
  }

  return async function handleStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendText(res, 405, 'Method not allowed.', { Allow: 'GET, HEAD' });
    }
    const rel = toRelativePath(rawPathOf(req));
    if (rel === undefined) return sendText(res, 400, 'Bad path.');
    if (rel === null) return sendText(res, 404, 'Not found.');

    const file = await resolveFile(root, rel === '' ? 'index.html' : rel);
    if (!file) {
      if (rel === '' || rel === 'index.html') return sendText(res, 503, 'The editor is not built yet: run `npm run build` (or `npm start`).');
      return sendText(res, 404, 'Not found.');
    }
    const relative = rel === '' ? 'index.html' : rel;
    const ext = extname(relative).toLowerCase();
    const body = await bodyFor(req, relative, file);
    const etag = entityTag(file, body.coding);
    const headers: Record<string, string> = {
      ETag: etag,
      'Last-Modified': file.mtime.toUTCString(),
      'Cache-Control': HASHED_ASSET.test(relative) ? 'public, max-age=31536000, immutable' : 'no-cache',
      // Caches must keep the br, gzip and plain answers apart.
      ...(COMPRESSIBLE_EXTENSIONS.has(ext) ? { Vary: 'Accept-Encoding' } : {}),
    };
    if (matchesEntityTag(req.headers['if-none-match'], etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const size = 'bytes' in body ? body.bytes.length : body.file.size;
    res.writeHead(200, {
      ...headers,
      'Content-Type': MIME[ext] ?? 'application/octet-stream',
      'Content-Length': String(size),
      ...(body.coding ? { 'Content-Encoding': body.coding } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if ('bytes' in body) {
      res.end(body.bytes);
      return;
    }
    const stream = createReadStream(body.file.path);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };
}

/**
 * A strong entity tag of one representation: the file's version (size and mtime) plus the
 * coding, so the br, gzip and plain bytes of the same file never share a tag (RFC 9110 §8.8.3).
 */
function entityTag(file: StaticFile, coding: ContentCoding | undefined): string {
  return `"${file.size.toString(36)}-${Math.floor(file.mtime.getTime()).toString(36)}${coding ? `-${coding}` : ''}"`;
}

/** Whether an `If-None-Match` header names `etag` (weak comparison, RFC 9110 §13.1.2) or is `*`. */
function matchesEntityTag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/**
 * The request path as a relative file path: undefined when malformed (bad escapes, NUL,
 * backslashes), null when it may not be served (`..`, dot-files, empty segments).
 */
export function toRelativePath(rawPath: string): string | undefined | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return undefined;
  if (decoded === '/') return '';
  const segments = decoded.slice(1).split('/');
  if (segments.some((s) => s === '' || s.startsWith('.'))) return null;
  return segments.join('/');
}

async function resolveFile(root: string, rel: string): Promise<StaticFile | undefined> {
  const candidate = join(root, rel);
  if (!isInside(root, candidate)) return undefined;
  try {
    // Symlinks inside dist/ must not lead outside it.
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(candidate)]);
    if (!isInside(realRoot, realFile)) return undefined;
    const s = await stat(realFile);
    return s.isFile() ? { path: realFile, size: s.size, mtime: s.mtime } : undefined;
  } catch {
    return undefined;
  }
}

function isInside(root: string, path: string): boolean {
  const r = relative(root, path);
  return r !== '' && !r.startsWith(`..${sep}`) && r !== '..' && !isAbsolute(r);
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}
