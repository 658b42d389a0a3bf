/**
 * The `npm start` HTTP server: the built editor plus a small API, on one origin.
 *
 * Endpoints (all answers carry a strict CSP and the other {@link SECURITY_HEADERS}):
 * - `GET /api/config` → {@link AppConfig} JSON:
 *   `{ mode: 'simulator'|'runcomfy', modelId, apiBase: '/api/v1', assetProxy: '/api/assets',
 *      maxRequestBodyBytes, banner: string|null }`. In simulator mode `banner` is
 *   {@link SIMULATOR_BANNER}; the editor shows it, always visible. Nothing secret, ever.
 *   (Schema and path constants for the browser: app/lib/app-config.ts.)
 * - `/api/v1/*` → the Model API proxy (./proxy.ts): use it as the API client's base URL.
 *   Forwards only `POST|GET /api/v1/models/bytedance/seedream-4-5/edit-sequential` (submit,
 *   catalog), `GET /api/v1/requests/{id}/status`, `GET /api/v1/requests/{id}/result[?include_cost=true]`
 *   and `POST /api/v1/requests/{id}/cancel`, adding the token server-side. `status_url`,
 *   `result_url` and `cancel_url` in replies are rewritten to absolute URLs on this server.
 *   Refusals are JSON `{ error_code: 'proxy_…', error_message }` with a 4xx status, or 503
 *   `proxy_server_busy` with `Retry-After` when the server already buffers its limit of request
 *   bodies (nothing was forwarded: a submit refused so was surely not accepted).
 * - `GET /api/assets?url=<encoded URL>` → the bytes of a result image (./asset-proxy.ts), with
 *   `Content-Type` sniffed from the bytes. Use it for every output URL (the browser's CSP allows
 *   no other origin); see `assetProxyUrl()` in app/lib/app-config.ts.
 * - everything else → the files of `distDir` (./static.ts), `/` → `index.html`.
 *
 * Every `/api/*` request is refused (403) when its `Origin` is present and not this server's own
 * (`Origin: null` included); every request is refused when its `Host` is not this server.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_PROXY_BASE, APP_CONFIG_PATH, ASSET_PROXY_PATH, SIMULATOR_BANNER, type AppConfig } from '../lib/app-config';
import { MAX_REQUEST_BODY_BYTES, SEEDREAM_MODEL_ID } from '../model/seedream';
import { createAssetProxyHandler, createImageDownloader } from './asset-proxy';
import type { BodyBudget } from './body-budget';
import { applySecurityHeaders, clip, rawPathOf, redactCredentials, refuseAndClose, sendError, sendJson, SECURITY_HEADERS } from './http-util';
import { createModelApiProxy } from './proxy';
import { RequestGuard } from './request-guard';
import { createStaticHandler } from './static';

export { SECURITY_HEADERS };

export interface AppServerOptions {
  /** The built editor (Vite's outDir). */
  distDir: string;
  /** Model API base without trailing slash: RunComfy's, or the simulator's `baseUrl`. */
  upstreamBaseUrl: string;
  /** RunComfy API token, added to proxied calls server-side. Never sent to the browser. */
  token?: string;
  /**
   * Set when the upstream is the built-in simulator: the editor then shows the simulator banner,
   * and the asset route may download from the simulator's (loopback, http) origin.
   */
  simulator?: { url: string };
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Extra `Host` names accepted (IP literals and `localhost` always are). */
  allowedHosts?: readonly string[];
  /**
   * The account of request bodies buffered at once, across all requests (default: 192 MiB,
   * `MAX_BUFFERED_BODY_BYTES`); a body that does not fit is answered 503 with Retry-After.
   */
  bodyBudget?: BodyBudget;
  /** For tests: replaces the global fetch for upstream calls and image downloads. */
  fetch?: typeof fetch;
  /**
   * One line per non-GET request or failed answer (method, path, status, time; never headers or
   * queries). Default: stdout.
   */
  log?: (line: string) => void;
}

export interface AppServer {
  /** `http://host:port` as clients should address it. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the server and resolves once it listens. */
export async function createAppServer(options: AppServerOptions): Promise<AppServer> {
  const token = options.token || undefined;
  const log = options.log ?? ((line: string) => console.log(line));
  const upstreamBaseUrl = options.upstreamBaseUrl.replace(/\/+$/, '');
  const appConfig: AppConfig = {
    mode: options.simulator ? 'simulator' : 'runcomfy',
    modelId: SEEDREAM_MODEL_ID,
    apiBase: API_PROXY_BASE,
    assetProxy: ASSET_PROXY_PATH,
    maxRequestBodyBytes: MAX_REQUEST_BODY_BYTES,
    banner: options.simulator ? SIMULATOR_BANNER : null,
    upstream: options.simulator ? `simulator:${randomUUID()}` : `runcomfy:${upstreamBaseUrl}`,
  };

  const proxy = createModelApiProxy({
    upstreamBaseUrl,
    token,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.bodyBudget ? { bodyBudget: options.bodyBudget } : {}),
  });
  const download = createImageDownloader({
    apiHost: new URL(upstreamBaseUrl).protocol === 'https:' ? new URL(upstreamBaseUrl).host : undefined,
    extraOrigins: options.simulator ? [new URL(options.simulator.url).origin] : [],
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const assets = createAssetProxyHandler(download);
  const serveStatic = createStaticHandler({ root: options.distDir });
  let guard: RequestGuard | undefined;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = guard!.checkHost(req);
    if ('refusal' in host) return refuseAndClose(req, res, host.refusal.status, host.refusal.code, host.refusal.message);
    const path = rawPathOf(req);
    if (path !== '/api' && !path.startsWith('/api/')) return serveStatic(req, res);

    const refusal = guard!.checkApiCaller(req, host.origin);
    if (refusal) return refuseAndClose(req, res, refusal.status, refusal.code, refusal.message);
    if (path === API_PROXY_BASE || path.startsWith(`${API_PROXY_BASE}/`)) return proxy(req, res, host.origin);
    if (path === ASSET_PROXY_PATH) return assets(req, res);
    if (path === APP_CONFIG_PATH) {
      if (req.method !== 'GET') return sendError(res, 405, 'method_not_allowed', 'Only GET is allowed here.', { Allow: 'GET' });
      return sendJson(res, 200, appConfig);
    }
    return sendError(res, 404, 'route_not_allowed', 'Unknown API route.');
  }

  // Redact the whole path before cutting it: a cut can leave half a token that no longer matches.
  const loggedPath = (req: IncomingMessage) => clip(redactCredentials(rawPathOf(req), token), 200);

  const server = createServer((req, res) => {
    const started = performance.now();
    applySecurityHeaders(res);
    res.once('close', () => {
      // Polls and static files would drown the log: only actions (non-GET) and failures.
      if (req.method === 'GET' && res.statusCode < 400) return;
      // The path only: queries (asset URLs) may carry third-party signatures; headers never.
      log(`${req.method ?? '?'} ${loggedPath(req)} → ${res.statusCode} ${Math.round(performance.now() - started)}ms`);
    });
    route(req, res).catch((e: unknown) => {
      log(`Internal error on ${req.method ?? '?'} ${loggedPath(req)}: ${redactCredentials(e instanceof Error ? e.message : String(e), token)}`);
      if (!res.headersSent) sendError(res, 500, 'internal_error', 'Internal server error.');
      else res.destroy();
    });
  });
  // Headers must arrive quickly; a 64 MiB body may take its time.
  server.headersTimeout = 30_000;
  server.requestTimeout = 10 * 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  guard = new RequestGuard({ port, boundHost: options.host, allowedHosts: options.allowedHosts ?? [] });
  const shownHost = ['0.0.0.0', '::', '[::]'].includes(options.host)
    ? '127.0.0.1'
    : options.host.includes(':') && !options.host.startsWith('[')
      ? `[${options.host}]`
      : options.host;

  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
