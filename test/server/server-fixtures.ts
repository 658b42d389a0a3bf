import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What a fake upstream saw of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface FakeUpstream {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `<origin>/v1`, what the proxy is configured with. */
  baseUrl: string;
  seen: SeenRequest[];
  /** Replaces the answer to every later request. */
  respond(handler: (req: SeenRequest, res: ServerResponse) => void): void;
  close(): Promise<void>;
}

/** A tiny Model API stand-in on loopback that records everything it receives. */
export async function startFakeUpstream(): Promise<FakeUpstream> {
  const seen: SeenRequest[] = [];
  let baseUrl = '';
  let handler = (req: SeenRequest, res: ServerResponse) => {
    const id = 'req_abc-123';
    const urls = {
      status_url: `${baseUrl}/requests/${id}/status`,
      result_url: `${baseUrl}/requests/${id}/result`,
      cancel_url: `${baseUrl}/requests/${id}/cancel`,
    };
    const body =
      req.method === 'POST' && req.url.startsWith('/v1/models/')
        ? { request_id: id, ...urls }
        : { request_id: id, status: 'in_queue', queue_position: 1, ...urls };
    res.writeHead(req.url.endsWith('/cancel') ? 202 : 200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(s);
      handler(s, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  baseUrl = `${origin}/v1`;
  return {
    origin,
    baseUrl,
    seen,
    respond(h) {
      handler = h;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

export interface HttpAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
  text: string;
  json(): unknown;
}

/**
 * One HTTP request with full control over the target and headers (fetch would normalise `..`
 * and refuse to send some headers). `body` may be a generator of chunks for streaming uploads.
 */
export function send(
  url: string,
  options: { method?: string; path?: string; headers?: OutgoingHttpHeaders; body?: string | Buffer | (() => Iterable<Buffer>) } = {},
): Promise<HttpAnswer> {
  const base = new URL(url);
  return new Promise<HttpAnswer>((resolve, reject) => {
    let answered = false;
    const req = httpRequest(
      { host: base.hostname, port: base.port, method: options.method ?? 'GET', path: options.path ?? '/', headers: options.headers ?? {}, agent: false },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => undefined);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json: () => JSON.parse(text) as unknown });
        });
      },
    );
    req.on('error', (e) => {
      // A server that refuses a big upload closes the socket; the answer may already be in.
      if (!answered) reject(e);
    });
    const body = options.body;
    if (typeof body === 'function') {
      const it = body()[Symbol.iterator]();
      const pump = () => {
        for (;;) {
          if (answered || req.destroyed) return;
          const next = it.next();
          if (next.done) {
            req.end();
            return;
          }
          if (!req.write(next.value)) {
            req.once('drain', pump);
            return;
          }
        }
      };
      pump();
    } else {
      req.end(body);
    }
  });
}

/** A throwaway folder with a small fake build (index.html + a hashed asset). */
export async function makeDist(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'studio-dist-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><html><head><script type="module" src="/assets/index-AbCdEf12.js"></script></head><body></body></html>',
  );
  await writeFile(join(dir, 'assets', 'index-AbCdEf12.js'), 'console.log("app");');
  await writeFile(join(dir, 'assets', 'style-Zz9Yy8Xx.css'), 'body{}');
  await writeFile(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(join(dir, '.secret'), 'dotfile');
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A 1×1 PNG. */
export const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
