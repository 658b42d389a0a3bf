import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from 'fast-png';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assetProxyUrl, SIMULATOR_BANNER, zAppConfig } from '../../app/lib/app-config';
import { SEEDREAM_MODEL_ID } from '../../app/model/seedream';
import { createAppServer, type AppServer } from '../../app/server/http-server';
import { startStudio, type Studio } from '../../app/server/start-studio';
import { makeDist, send, startFakeUpstream, type FakeUpstream, type HttpAnswer } from './server-fixtures';

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

describe('createAppServer', () => {
  let upstream: FakeUpstream;
  let dist: Awaited<ReturnType<typeof makeDist>>;
  let server: AppServer | undefined;

  beforeEach(async () => {
    upstream = await startFakeUpstream();
    dist = await makeDist();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await upstream.close();
    await dist.remove();
  });

  const start = async (extra: { simulator?: { url: string }; token?: string; allowedHosts?: string[] } = {}) => {
    server = await createAppServer({ distDir: dist.dir, upstreamBaseUrl: upstream.baseUrl, host: '127.0.0.1', port: 0, log: () => undefined, ...extra });
    return server;
  };

  it('describes itself at /api/config in RunComfy mode, without a banner', async () => {
    const s = await start({ token: 'rc-config-token-123' });
    const r = await send(s.url, { path: '/api/config' });
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    const config = zAppConfig.parse(r.json());
    expect(config).toEqual({
      mode: 'runcomfy',
      modelId: SEEDREAM_MODEL_ID,
      apiBase: '/api/v1',
      assetProxy: '/api/assets',
      maxRequestBodyBytes: 64 * 1024 * 1024,
      banner: null,
      upstream: `runcomfy:${upstream.baseUrl}`,
    });
    expect(r.text).not.toContain('rc-config-token-123');
  });

  it('tells the browser to show the simulator banner in simulator mode', async () => {
    const s = await start({ simulator: { url: upstream.origin } });
    const config = zAppConfig.parse((await send(s.url, { path: '/api/config' })).json());
    expect(config.mode).toBe('simulator');
    expect(config.banner).toBe(SIMULATOR_BANNER);
    // A new simulator instance per server start: its request ids mean nothing to the next one.
    expect(config.upstream).toMatch(/^simulator:[0-9a-f-]{36}$/);
  });

  it('refuses /api/config from another origin and with other methods', async () => {
    const s = await start();
    expect((await send(s.url, { path: '/api/config', headers: { Origin: 'https://evil.example' } })).status).toBe(403);
    expect((await send(s.url, { method: 'POST', path: '/api/config', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(405);
  });

  it('answers unknown /api routes with a JSON 404', async () => {
    const s = await start();
    const r = await send(s.url, { path: '/api/secret' });
    expect(r.status).toBe(404);
    expect((r.json() as { error_code: string }).error_code).toBe('proxy_route_not_allowed');
  });

  it.each([
    ['localhost', true],
    ['127.0.0.1', true],
    ['studio.lan', true],
    ['evil.example', false],
    ['127.0.0.1.nip.io', false],
  ])('answers Host %s: %s', async (name, allowed) => {
    const s = await start({ allowedHosts: ['studio.lan'] });
    const r = await send(s.url, { path: '/', headers: { Host: `${name}:${s.port}` } });
    expect(r.status).toBe(allowed ? 200 : 403);
  });

  it('refuses a Host on another port', async () => {
    const s = await start();
    expect((await send(s.url, { path: '/', headers: { Host: `127.0.0.1:${s.port + 1}` } })).status).toBe(403);
  });

  it.each([180, 190, 196])('logs no piece of the token when a path carries it across the 200-character cut at %i', async (offset) => {
    const token = 'rc-log-token-0123456789abcdef';
    const logs: string[] = [];
    server = await createAppServer({ distDir: dist.dir, upstreamBaseUrl: upstream.baseUrl, host: '127.0.0.1', port: 0, token, log: (l) => logs.push(l) });
    const path = `/api/${'x'.repeat(offset - 5)}${token}`;
    expect((await send(server.url, { path })).status).toBe(404);
    await expect.poll(() => logs.length).toBe(1);
    for (let i = 0; i + 8 <= token.length; i++) expect(logs[0]).not.toContain(token.slice(i, i + 8));
  });
});

describe('startStudio with the built-in simulator', () => {
  let studio: Studio | undefined;
  let dist: Awaited<ReturnType<typeof makeDist>> | undefined;
  afterEach(async () => {
    await studio?.close();
    await dist?.remove();
    studio = dist = undefined;
  });

  it('runs a job end to end through the proxy and the asset route', async () => {
    dist = await makeDist();
    studio = await startStudio(
      { token: undefined, baseUrl: 'https://model-api.runcomfy.net/v1', host: '127.0.0.1', port: 0, allowedHosts: [] },
      { distDir: dist.dir, log: () => undefined, simulator: { timeScale: 0.001, outputScale: 1 / 64 } },
    );
    expect(studio.mode).toBe('simulator');
    const { url } = studio;
    const reference = encode({ width: 32, height: 32, data: new Uint8Array(32 * 32 * 3).fill(128), channels: 3 });
    const input = {
      images: [`data:image/png;base64,${Buffer.from(reference).toString('base64')}`],
      prompt: 'Generate 2 images of a lighthouse',
      sequential_image_generation_options: 2,
    };
    const submit = await send(url, {
      method: 'POST',
      path: `/api/v1/models/${SEEDREAM_MODEL_ID}`,
      headers: { 'Content-Type': 'application/json', Origin: url },
      body: JSON.stringify(input),
    });
    expect(submit.status).toBe(200);
    const { request_id: id, result_url: resultUrl } = submit.json() as { request_id: string; result_url: string };
    expect(resultUrl).toBe(`${url}/api/v1/requests/${id}/result`);

    let result: { status: string; output?: { images: string[] } } = { status: 'in_queue' };
    for (let i = 0; i < 200 && result.status !== 'succeeded' && result.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      result = (await send(url, { path: new URL(resultUrl).pathname })).json() as typeof result;
    }
    expect(result.status).toBe('succeeded');
    const images = result.output?.images ?? [];
    expect(images.length).toBeGreaterThan(0);
    const frame = await send(url, { path: assetProxyUrl(images[0]!) });
    expect(frame.status).toBe(200);
    expect(frame.headers['content-type']).toBe('image/png');
  });
});

/** Every file under `dir`, as paths relative to it with forward slashes. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'));
}

describe('the canary token', () => {
  const canary = `canary-${randomBytes(12).toString('hex')}`;
  const saved = { token: process.env.RUNCOMFY_API_TOKEN, nodeEnv: process.env.NODE_ENV };
  const temps: string[] = [];
  let server: AppServer | undefined;
  let upstream: FakeUpstream | undefined;

  afterEach(async () => {
    await server?.close();
    await upstream?.close();
    for (const t of temps) await rm(t, { recursive: true, force: true });
    if (saved.token === undefined) delete process.env.RUNCOMFY_API_TOKEN;
    else process.env.RUNCOMFY_API_TOKEN = saved.token;
    process.env.NODE_ENV = saved.nodeEnv;
  });

  it('appears nowhere in the build output or in anything the server sends the browser', { timeout: 240_000 }, async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'studio-canary-dist-'));
    temps.push(outDir);
    // The real editor when it exists; until then a placeholder app that dumps its whole env.
    const realApp = existsSync(join(REPO_ROOT, 'index.html'));
    let root = REPO_ROOT;
    if (!realApp) {
      root = await mkdtemp(join(tmpdir(), 'studio-canary-root-'));
      temps.push(root);
      await writeFile(join(root, 'index.html'), '<!doctype html><html><head><script type="module" src="/main.js"></script></head><body></body></html>');
      await writeFile(join(root, 'main.js'), 'document.body.textContent = JSON.stringify(import.meta.env);\n');
    }

    process.env.RUNCOMFY_API_TOKEN = canary;
    process.env.NODE_ENV = 'production';
    const { build } = await import('vite');
    await build({
      root,
      configFile: realApp ? join(REPO_ROOT, 'vite.config.ts') : false,
      mode: 'production',
      logLevel: 'silent',
      build: { outDir, emptyOutDir: true },
    });

    const files = await listFiles(outDir);
    expect(files).toContain('index.html');
    for (const f of files) {
      const bytes = await readFile(join(outDir, f));
      expect(bytes.includes(canary), `build output ${f}`).toBe(false);
    }

    upstream = await startFakeUpstream();
    // An upstream that echoes the token back in every way it can.
    upstream.respond((req, res) => {
      const auth = req.headers.authorization ?? '';
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Auth': auth, 'Set-Cookie': `s=${auth}` });
      res.end(JSON.stringify({ request_id: 'r1', status: 'in_queue', echo: auth, status_url: `${upstream!.baseUrl}/requests/r1/status?t=${canary}` }));
    });
    server = await createAppServer({
      distDir: outDir,
      upstreamBaseUrl: upstream.baseUrl,
      token: canary,
      host: '127.0.0.1',
      port: 0,
      log: (l) => expect(l).not.toContain(canary),
    });

    const answers: [string, HttpAnswer][] = [];
    const get = async (path: string, init: Parameters<typeof send>[1] = {}) => {
      const r = await send(server!.url, { path, ...init });
      answers.push([path, r]);
      return r;
    };
    const index = await get('/');
    expect(index.status).toBe(200);
    await get('/index.html');
    await get('/api/config');
    for (const f of files) await get(`/${f}`);
    for (const m of index.text.matchAll(/(?:src|href)="(\/[^"]+)"/g)) await get(m[1]!);
    await get('/api/v1/requests/r1/status');
    await get('/api/v1/requests/r1/result?include_cost=true');
    await get(`/api/v1/models/${SEEDREAM_MODEL_ID}`);
    await get(`/api/v1/models/${SEEDREAM_MODEL_ID}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"prompt":"x"}' });
    await get('/api/v1/requests/r1/cancel', { method: 'POST' });
    await get('/api/v1/requests/bad.id/status');
    await get('/nope');

    expect(upstream.seen.every((s) => s.headers.authorization === `Bearer ${canary}`)).toBe(true);
    for (const [path, r] of answers) {
      expect(r.body.includes(canary), `body of ${path}`).toBe(false);
      expect(JSON.stringify(r.headers), `headers of ${path}`).not.toContain(canary);
    }
  });
});
