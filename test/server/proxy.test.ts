import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppServer, type AppServer } from '../../app/server/http-server';
import { matchProxyRoute, rewriteRequestUrls } from '../../app/server/proxy-routes';
import { SEEDREAM_MODEL_ID } from '../../app/model/seedream';
import { makeDist, send, startFakeUpstream, type FakeUpstream, type HttpAnswer } from './server-fixtures';

const TOKEN = 'rc-test-token-5f1e2d3c4b';
const SUBMIT_PATH = `/api/v1/models/${SEEDREAM_MODEL_ID}`;
const INPUT = { images: ['https://x.runcomfy.net/a.png'], prompt: 'Generate 3 images of a cat', sequential_image_generation_options: 3 };
const JSON_HEADERS = { 'Content-Type': 'application/json' };

/** The token must not appear anywhere in an answer: body or any header. */
function expectNoToken(r: HttpAnswer): void {
  expect(r.text).not.toContain(TOKEN);
  expect(JSON.stringify(r.headers)).not.toContain(TOKEN);
}

describe('model API proxy', () => {
  let upstream: FakeUpstream;
  let server: AppServer;
  let dist: Awaited<ReturnType<typeof makeDist>>;
  let logs: string[];

  beforeEach(async () => {
    upstream = await startFakeUpstream();
    dist = await makeDist();
    logs = [];
    server = await createAppServer({
      distDir: dist.dir,
      upstreamBaseUrl: upstream.baseUrl,
      token: TOKEN,
      host: '127.0.0.1',
      port: 0,
      log: (l) => logs.push(l),
    });
  });
  afterEach(async () => {
    await server.close();
    await upstream.close();
    await dist.remove();
    for (const line of logs) expect(line).not.toContain(TOKEN);
  });

  describe('allowed calls', () => {
    it('forwards a submit with the bearer token and the exact body', async () => {
      const body = JSON.stringify(INPUT);
      const r = await send(server.url, {
        method: 'POST',
        path: SUBMIT_PATH,
        headers: { ...JSON_HEADERS, Authorization: 'Bearer from-browser', Cookie: 'a=b' },
        body,
      });
      expect(r.status).toBe(200);
      expect(upstream.seen).toHaveLength(1);
      const seen = upstream.seen[0]!;
      expect(seen.method).toBe('POST');
      expect(seen.url).toBe(`/v1/models/${SEEDREAM_MODEL_ID}`);
      expect(seen.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(seen.headers['content-type']).toBe('application/json');
      expect(seen.headers.cookie).toBeUndefined();
      expect(seen.body.toString()).toBe(body);
      expectNoToken(r);
    });

    it('points the status, result and cancel URLs of a reply at the proxy', async () => {
      const r = await send(server.url, { method: 'POST', path: SUBMIT_PATH, headers: JSON_HEADERS, body: JSON.stringify(INPUT) });
      expect(r.json()).toEqual({
        request_id: 'req_abc-123',
        status_url: `${server.url}/api/v1/requests/req_abc-123/status`,
        result_url: `${server.url}/api/v1/requests/req_abc-123/result`,
        cancel_url: `${server.url}/api/v1/requests/req_abc-123/cancel`,
      });
    });

    it('accepts a same-origin Origin header', async () => {
      const r = await send(server.url, { method: 'POST', path: SUBMIT_PATH, headers: { ...JSON_HEADERS, Origin: server.url }, body: JSON.stringify(INPUT) });
      expect(r.status).toBe(200);
      expect(upstream.seen).toHaveLength(1);
    });

    it.each([
      ['GET', SUBMIT_PATH, `/v1/models/${SEEDREAM_MODEL_ID}`],
      ['GET', '/api/v1/requests/req_abc-123/status', '/v1/requests/req_abc-123/status'],
      ['GET', '/api/v1/requests/req_abc-123/result', '/v1/requests/req_abc-123/result'],
      ['GET', '/api/v1/requests/req_abc-123/result?include_cost=true', '/v1/requests/req_abc-123/result?include_cost=true'],
      ['POST', '/api/v1/requests/req_abc-123/cancel', '/v1/requests/req_abc-123/cancel'],
    ])('forwards %s %s to %s', async (method, path, upstreamPath) => {
      const r = await send(server.url, { method, path });
      expect(r.status).toBeLessThan(300);
      expect(upstream.seen.map((s) => [s.method, s.url])).toEqual([[method, upstreamPath]]);
      expect(upstream.seen[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(upstream.seen[0]!.body.length).toBe(0);
    });

    it('forwards a cancel that carries an empty JSON object without its body', async () => {
      const r = await send(server.url, { method: 'POST', path: '/api/v1/requests/abc/cancel', headers: JSON_HEADERS, body: '{}' });
      expect(r.status).toBe(202);
      expect(upstream.seen[0]!.body.length).toBe(0);
    });

    it('passes upstream errors through as JSON with their status and Retry-After', async () => {
      upstream.respond((_req, res) => {
        res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '7', 'X-Internal': 'x' });
        res.end(JSON.stringify({ error_code: 429001, error_message: 'slow down' }));
      });
      const r = await send(server.url, { path: '/api/v1/requests/abc/status' });
      expect(r.status).toBe(429);
      expect(r.headers['retry-after']).toBe('7');
      expect(r.headers['x-internal']).toBeUndefined();
      expect(r.json()).toEqual({ error_code: 429001, error_message: 'slow down' });
    });
  });

  describe('refusals never reach upstream', () => {
    const longId = 'a'.repeat(129);
    it.each([
      ['POST', '/api/v1/models/bytedance/seedream-4-0/edit', 404],
      ['GET', '/api/v1/models/other/model', 404],
      ['POST', `${SUBMIT_PATH}/../../seedream-4-0/edit`, 404],
      ['POST', '/api/v1/models/bytedance%2Fseedream-4-5%2Fedit-sequential', 404],
      ['POST', `${SUBMIT_PATH}/`, 404],
      ['POST', `/api/v1/models/bytedance/seedream-4-5/edit-sequential%3Fx`, 404],
      ['POST', `/api/v1//models/${SEEDREAM_MODEL_ID}`, 404],
      ['GET', '/api/v1/requests/abc%2F..%2Fx/status', 400],
      ['GET', '/api/v1/requests/../models/x/status', 404],
      ['GET', '/api/v1/requests/a.b/status', 400],
      ['GET', '/api/v1/requests/%61bc/status', 400],
      ['GET', `/api/v1/requests/${longId}/status`, 400],
      ['GET', '/api/v1/requests//status', 400],
      ['GET', '/api/v1/requests/abc/delete', 404],
      ['GET', '/api/v1/requests/abc/status/extra', 404],
      ['GET', '/api/v1/requests/abc', 404],
      ['GET', '/api/v1/requests/abc/status?x=1', 400],
      ['GET', '/api/v1/requests/abc/result?include_cost=true&x=1', 400],
      ['GET', '/api/v1/requests/abc/result?include_cost=yes', 400],
      ['POST', `${SUBMIT_PATH}?x=1`, 400],
      ['DELETE', '/api/v1/requests/abc/status', 405],
      ['PUT', SUBMIT_PATH, 405],
      ['OPTIONS', SUBMIT_PATH, 405],
      ['HEAD', SUBMIT_PATH, 405],
      ['GET', '/api/v1/requests/abc/cancel', 405],
      ['POST', '/api/v1/requests/abc/status', 405],
      ['GET', '/api/v1', 404],
      ['GET', '/api/v1/upload', 404],
      ['GET', '/api/v2/requests/abc/status', 404],
    ])('%s %s → %i', async (method, path, status) => {
      const r = await send(server.url, { method, path, ...(method === 'POST' ? { headers: JSON_HEADERS, body: JSON.stringify(INPUT) } : {}) });
      expect(r.status).toBe(status);
      if (method !== 'HEAD') expect((r.json() as { error_code: string }).error_code).toMatch(/^proxy_/);
      expect(upstream.seen).toHaveLength(0);
    });

    it.each([
      ['a foreign Origin', { Origin: 'https://evil.example' }],
      ['Origin: null', { Origin: 'null' }],
      ['an Origin on another port', { Origin: 'http://127.0.0.1:1' }],
      ['an https Origin on the same host', { Origin: 'https://127.0.0.1' }],
      ['a malformed Origin', { Origin: '%%%' }],
      ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ])('refuses %s with 403', async (_name, headers) => {
      const r = await send(server.url, { method: 'POST', path: SUBMIT_PATH, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(INPUT) });
      expect(r.status).toBe(403);
      expect((r.json() as { error_code: string }).error_code).toBe('proxy_origin_not_allowed');
      expect(upstream.seen).toHaveLength(0);
    });

    it('refuses a Host that is not this server (DNS rebinding)', async () => {
      const port = new URL(server.url).port;
      const r = await send(server.url, {
        method: 'POST',
        path: SUBMIT_PATH,
        headers: { ...JSON_HEADERS, Host: `evil.example:${port}`, Origin: `http://evil.example:${port}` },
        body: JSON.stringify(INPUT),
      });
      expect(r.status).toBe(403);
      expect(upstream.seen).toHaveLength(0);
    });

    it.each([
      ['text/plain', {}],
      ['application/x-www-form-urlencoded', {}],
      ['multipart/form-data; boundary=x', {}],
      [undefined, {}],
      ['application/json', { 'Content-Encoding': 'gzip' }],
    ])('refuses a submit with Content-Type %s (%j) with 415', async (type, extra) => {
      const headers: Record<string, string> = { ...extra };
      if (type) headers['Content-Type'] = type;
      const r = await send(server.url, { method: 'POST', path: SUBMIT_PATH, headers, body: JSON.stringify(INPUT) });
      expect(r.status).toBe(415);
      expect(upstream.seen).toHaveLength(0);
    });

    it('refuses a cancel with a non-JSON body with 415', async () => {
      const r = await send(server.url, { method: 'POST', path: '/api/v1/requests/abc/cancel', headers: { 'Content-Type': 'text/plain' }, body: 'please' });
      expect(r.status).toBe(415);
      expect(upstream.seen).toHaveLength(0);
    });

    it.each(['not json', '[1,2]', '"x"', 'null', ''])('refuses a submit body %j that is not a JSON object with 400', async (body) => {
      const r = await send(server.url, { method: 'POST', path: SUBMIT_PATH, headers: JSON_HEADERS, body });
      expect(r.status).toBe(400);
      expect(upstream.seen).toHaveLength(0);
    });

    const MiB = 1024 * 1024;
    const chunk = Buffer.alloc(MiB, 0x20);
    function* body65MiB(): Iterable<Buffer> {
      yield Buffer.from('{"prompt":"');
      for (let i = 0; i < 65; i++) yield chunk;
      yield Buffer.from('"}');
    }

    it('refuses a body declared over 64 MiB with 413 before reading it', async () => {
      const r = await send(server.url, {
        method: 'POST',
        path: SUBMIT_PATH,
        headers: { ...JSON_HEADERS, 'Content-Length': String(65 * MiB + 13) },
        body: body65MiB,
      });
      expect(r.status).toBe(413);
      expect(upstream.seen).toHaveLength(0);
    });

    it('refuses a streamed (chunked) body over 64 MiB with 413 as soon as it crosses the limit', async () => {
      const r = await send(server.url, { method: 'POST', path: SUBMIT_PATH, headers: { ...JSON_HEADERS, 'Transfer-Encoding': 'chunked' }, body: body65MiB });
      expect(r.status).toBe(413);
      expect((r.json() as { error_code: string }).error_code).toBe('proxy_body_too_large');
      expect(upstream.seen).toHaveLength(0);
    });

    it('still answers after refusing a big upload', async () => {
      await send(server.url, { method: 'POST', path: SUBMIT_PATH, headers: { ...JSON_HEADERS, 'Transfer-Encoding': 'chunked' }, body: body65MiB });
      const r = await send(server.url, { path: '/api/v1/requests/abc/status' });
      expect(r.status).toBe(200);
    });
  });

  describe('the token never reaches the browser', () => {
    it('scrubs a token the upstream echoes in JSON, headers and cookies', async () => {
      upstream.respond((req, res) => {
        const auth = req.headers.authorization ?? '';
        res.writeHead(400, { 'Content-Type': 'application/json', 'X-Echo': auth, 'Set-Cookie': `t=${TOKEN}`, Authorization: auth });
        res.end(JSON.stringify({ error_message: `bad token ${auth}`, detail: [{ msg: TOKEN, [TOKEN]: 1 }], escaped: `\\u0072${TOKEN.slice(1)}` }));
      });
      const r = await send(server.url, { method: 'POST', path: SUBMIT_PATH, headers: JSON_HEADERS, body: JSON.stringify(INPUT) });
      expect(r.status).toBe(400);
      expectNoToken(r);
      expect(r.headers['set-cookie']).toBeUndefined();
      expect(r.headers['x-echo']).toBeUndefined();
      expect(r.text).toContain('[redacted]');
    });

    it('scrubs a token hidden by JSON unicode escapes', async () => {
      upstream.respond((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(`{"message":"\\u${TOKEN.charCodeAt(0).toString(16).padStart(4, '0')}${TOKEN.slice(1)}"}`);
      });
      const r = await send(server.url, { path: '/api/v1/requests/abc/result' });
      expectNoToken(r);
    });

    it('wraps a non-JSON upstream answer in JSON, scrubbed', async () => {
      upstream.respond((req, res) => {
        res.writeHead(502, { 'Content-Type': 'text/html' });
        res.end(`<html>gateway error for ${req.headers.authorization ?? ''}</html>`);
      });
      const r = await send(server.url, { path: '/api/v1/requests/abc/status' });
      expect(r.status).toBe(502);
      expect((r.json() as { error_code: string }).error_code).toBe('proxy_upstream_not_json');
      expectNoToken(r);
    });

    /** Every run of 8 characters of `secret`: none may reach the browser, even cut in half. */
    const pieces = (secret: string) => Array.from({ length: secret.length - 7 }, (_, i) => secret.slice(i, i + 8));

    it.each([0, 280, 292, 296, 299, 300, 301, 320, 5_000])('leaks no piece of the token when a non-JSON answer carries it at offset %i', async (offset) => {
      upstream.respond((_req, res) => {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`${'x'.repeat(offset)}${TOKEN} and the rest of a long gateway page`);
      });
      const r = await send(server.url, { path: '/api/v1/requests/abc/status' });
      expect(r.status).toBe(500);
      expect((r.json() as { error_code: string }).error_code).toBe('proxy_upstream_not_json');
      for (const piece of pieces(TOKEN)) expect(r.text).not.toContain(piece);
    });

    it('leaks no piece of any Bearer credential a non-JSON answer echoes across the cut', async () => {
      const other = 'someone-elses-credential-0123456789';
      upstream.respond((_req, res) => {
        res.writeHead(502, { 'Content-Type': 'text/html' });
        res.end(`${'x'.repeat(260)}Authorization: Bearer ${other}</pre>`);
      });
      const r = await send(server.url, { path: '/api/v1/requests/abc/status' });
      for (const piece of pieces(other)) expect(r.text).not.toContain(piece);
      expect(r.text).toContain('Bearer [redacted]');
    });

    it('answers 502 in JSON, not a crash, when an upstream reply is nested 10,000 levels deep', async () => {
      upstream.respond((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(`{"request_id":"r1","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
      });
      const r = await send(server.url, { method: 'POST', path: SUBMIT_PATH, headers: JSON_HEADERS, body: JSON.stringify(INPUT) });
      expect(r.status).toBe(502);
      expect(r.json()).toMatchObject({
        error_code: 'proxy_upstream_response_too_deep',
        error_message: expect.stringMatching(/may or may not have been accepted/),
      });
    });

    it('never follows an upstream redirect', async () => {
      const elsewhere = await startFakeUpstream();
      try {
        upstream.respond((_req, res) => {
          res.writeHead(307, { Location: `${elsewhere.baseUrl}/requests/abc/status` });
          res.end();
        });
        const r = await send(server.url, { path: '/api/v1/requests/abc/status' });
        expect(r.status).toBe(502);
        expect(elsewhere.seen).toHaveLength(0);
        expectNoToken(r);
      } finally {
        await elsewhere.close();
      }
    });

    it('answers 502 in JSON when the upstream is unreachable', async () => {
      await upstream.close();
      const r = await send(server.url, { method: 'POST', path: SUBMIT_PATH, headers: JSON_HEADERS, body: JSON.stringify(INPUT) });
      expect(r.status).toBe(502);
      expect((r.json() as { error_message: string }).error_message).toMatch(/may or may not have been accepted/);
      expectNoToken(r);
    });

    it('logs actions and failures, without headers or the token, and not polls', async () => {
      await send(server.url, { path: '/api/v1/requests/abc/status', headers: { Authorization: `Bearer ${TOKEN}` } });
      await send(server.url, {
        method: 'POST',
        path: SUBMIT_PATH,
        headers: { ...JSON_HEADERS, Authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(INPUT),
      });
      await send(server.url, { path: '/api/v1/requests/a.b/status' });
      await new Promise((r) => setTimeout(r, 20));
      expect(logs).toHaveLength(2);
      expect(logs[0]).toMatch(/^POST \/api\/v1\/models\/bytedance\/seedream-4-5\/edit-sequential → 200 \d+ms$/);
      expect(logs[1]).toMatch(/^GET \/api\/v1\/requests\/a\.b\/status → 400 \d+ms$/);
    });
  });
});

describe('model API proxy without a token (simulator)', () => {
  it('sends no Authorization header upstream', async () => {
    const upstream = await startFakeUpstream();
    const dist = await makeDist();
    const server = await createAppServer({
      distDir: dist.dir,
      upstreamBaseUrl: upstream.baseUrl,
      simulator: { url: upstream.origin },
      host: '127.0.0.1',
      port: 0,
      log: () => undefined,
    });
    try {
      const r = await send(server.url, { path: '/api/v1/requests/abc/status', headers: { Authorization: 'Bearer from-browser' } });
      expect(r.status).toBe(200);
      expect(upstream.seen[0]!.headers.authorization).toBeUndefined();
    } finally {
      await server.close();
      await upstream.close();
      await dist.remove();
    }
  });
});

describe('matchProxyRoute', () => {
  it('matches the result route with include_cost', () => {
    expect(matchProxyRoute('GET', '/api/v1/requests/x/result', 'include_cost=false')).toEqual({ route: { kind: 'result', id: 'x', includeCost: false } });
  });
});

describe('rewriteRequestUrls', () => {
  const up = 'https://model-api.runcomfy.net/v1';
  const proxy = 'http://127.0.0.1:8188/api/v1';

  it('rebuilds foreign URLs from the request id and drops them without one', () => {
    const withId: Record<string, unknown> = {
      request_id: 'r1',
      status_url: 'https://evil.example/x',
      result_url: `${up}/requests/r1/result?include_cost=true`,
    };
    rewriteRequestUrls(withId, up, proxy);
    expect(withId).toEqual({ request_id: 'r1', status_url: `${proxy}/requests/r1/status`, result_url: `${proxy}/requests/r1/result?include_cost=true` });
    const withoutId: Record<string, unknown> = { status_url: 'https://evil.example/x' };
    rewriteRequestUrls(withoutId, up, proxy);
    expect(withoutId).toEqual({});
  });
});
