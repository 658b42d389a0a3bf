import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { rawPathOf } from './http-util';

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

/**
 * Serves the built editor from `root` (Vite's `dist/`): GET/HEAD only, `/` → `index.html`,
 * hashed files under `assets/` cached for a year, everything else revalidated. Paths are decoded
 * once and must stay inside `root` (after resolving symlinks); dot-files are never served.
 */
export function createStaticHandler(options: { root: string }) {
  const root = resolve(options.root);

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
    res.writeHead(200, {
      'Content-Type': MIME[extname(relative).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': String(file.size),
      'Last-Modified': file.mtime.toUTCString(),
      'Cache-Control': HASHED_ASSET.test(relative) ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file.path);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };
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

async function resolveFile(root: string, rel: string): Promise<{ path: string; size: number; mtime: Date } | undefined> {
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
