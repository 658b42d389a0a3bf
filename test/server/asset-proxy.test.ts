import { afterEach, describe, expect, it } from 'vitest';
import { createImageDownloader, ImageDownloadError, isAllowedImageUrl } from '../../app/server/asset-proxy';
import { createAppServer, type AppServer } from '../../app/server/http-server';
import { makeDist, send, startFakeUpstream, TINY_PNG, type FakeUpstream } from './server-fixtures';

const TOKEN = 'rc-asset-token-9a8b7c6d';
const OUTPUT_URL = 'https://playgrounds-storage-public.runcomfy.net/out/frame-1.png';

/** A fetch stand-in: answers from a table by URL and records every call. */
function fakeFetch(table: Record<string, () => Response>) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    calls.push({ url, init });
    const answer = table[url];
    if (!answer) throw new TypeError(`fetch failed: ${url}`);
    return answer();
  };
  return { fetch: fn as typeof fetch, calls };
}

const png =
  (headers: Record<string, string> = { 'Content-Type': 'image/png' }) =>
  () =>
    new Response(TINY_PNG, { status: 200, headers });
const redirect =
  (to: string, status = 302) =>
  () =>
    new Response(null, { status, headers: { Location: to } });

describe('isAllowedImageUrl', () => {
  const rules = { apiHost: 'api.example.com', extraOrigins: ['http://127.0.0.1:4010'] };
  it.each([
    ['https://playgrounds-storage-public.runcomfy.net/a.png', true],
    ['https://a.b.runcomfy.net/a.png', true],
    ['https://MODEL-API.RunComfy.net/x', true],
    ['https://api.example.com/x.png', true],
    ['http://127.0.0.1:4010/v1/files/x.png', true],
    ['http://x.runcomfy.net/a.png', false],
    ['https://runcomfy.net/a.png', false],
    ['https://runcomfy.net.evil.com/a.png', false],
    ['https://evilruncomfy.net/a.png', false],
    ['https://x.runcomfy.net:8443/a.png', false],
    ['https://user:pw@x.runcomfy.net/a.png', false],
    ['https://x.runcomfy.net./a.png', false],
    ['https://api.example.com:444/x.png', false],
    ['http://api.example.com/x.png', false],
    ['http://127.0.0.1:4011/x.png', false],
    ['https://127.0.0.1/x.png', false],
    ['file:///etc/passwd', false],
    ['data:image/png;base64,AAAA', false],
  ])('%s → %s', (url, allowed) => {
    expect(isAllowedImageUrl(new URL(url), rules)).toBe(allowed);
  });
});

describe('createImageDownloader', () => {
  async function failure(p: Promise<unknown>): Promise<ImageDownloadError> {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ImageDownloadError);
    return e as ImageDownloadError;
  }

  it('downloads an allowed image without credentials and without following redirects automatically', async () => {
    const f = fakeFetch({ [OUTPUT_URL]: png() });
    const got = await createImageDownloader({ fetch: f.fetch })(OUTPUT_URL);
    expect(got.mime).toBe('image/png');
    expect(Buffer.from(got.bytes).equals(TINY_PNG)).toBe(true);
    expect(f.calls[0]!.init?.redirect).toBe('manual');
    expect(JSON.stringify(f.calls[0]!.init?.headers)).not.toMatch(/authorization|cookie/i);
  });

  it('follows a redirect to another allowed host', async () => {
    const target = 'https://cdn.runcomfy.net/frame-1.png';
    const f = fakeFetch({ [OUTPUT_URL]: redirect(target), [target]: png() });
    const got = await createImageDownloader({ fetch: f.fetch })(OUTPUT_URL);
    expect(got.mime).toBe('image/png');
    expect(f.calls.map((c) => c.url)).toEqual([OUTPUT_URL, target]);
  });

  it.each(['https://evil.example/x.png', 'http://cdn.runcomfy.net/x.png', 'http://127.0.0.1:8188/api/config'])(
    'refuses a redirect to %s without fetching it',
    async (target) => {
      const f = fakeFetch({ [OUTPUT_URL]: redirect(target), [target]: png() });
      const e = await failure(createImageDownloader({ fetch: f.fetch })(OUTPUT_URL));
      expect(e.code).toBe('redirect_not_allowed');
      expect(f.calls).toHaveLength(1);
    },
  );

  it('stops after too many redirects', async () => {
    const hop = (n: number) => `https://cdn.runcomfy.net/${n}.png`;
    const f = fakeFetch({
      [OUTPUT_URL]: redirect(hop(1)),
      [hop(1)]: redirect(hop(2)),
      [hop(2)]: redirect(hop(3)),
      [hop(3)]: redirect(hop(4)),
      [hop(4)]: png(),
    });
    const e = await failure(createImageDownloader({ fetch: f.fetch, maxRedirects: 3 })(OUTPUT_URL));
    expect(e.code).toBe('too_many_redirects');
    expect(f.calls).toHaveLength(4);
  });

  it('refuses a declared size over the cap', async () => {
    const f = fakeFetch({ [OUTPUT_URL]: png({ 'Content-Type': 'image/png', 'Content-Length': String(2000) }) });
    const e = await failure(createImageDownloader({ fetch: f.fetch, maxBytes: 1000 })(OUTPUT_URL));
    expect([e.code, e.status]).toEqual(['too_large', 413]);
  });

  it('refuses a streamed body once it grows over the cap', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(512));
      },
    });
    const f = fakeFetch({ [OUTPUT_URL]: () => new Response(endless, { headers: { 'Content-Type': 'image/png' } }) });
    const e = await failure(createImageDownloader({ fetch: f.fetch, maxBytes: 4096 })(OUTPUT_URL));
    expect(e.code).toBe('too_large');
    expect(pulled).toBeLessThan(20);
  });

  it.each([
    ['a non-image Content-Type', { 'Content-Type': 'text/html' }, TINY_PNG],
    ['bytes that are not an image', { 'Content-Type': 'image/png' }, Buffer.from('<svg onload=alert(1)>')],
    ['an SVG image', { 'Content-Type': 'image/svg+xml' }, Buffer.from('<svg/>')],
  ])('refuses %s with 415', async (_name, headers, body) => {
    const f = fakeFetch({ [OUTPUT_URL]: () => new Response(body, { headers }) });
    const e = await failure(createImageDownloader({ fetch: f.fetch })(OUTPUT_URL));
    expect([e.code, e.status]).toEqual(['not_an_image', 415]);
  });

  it('reports an expired link as 404', async () => {
    const f = fakeFetch({ [OUTPUT_URL]: () => new Response('gone', { status: 403 }) });
    const e = await failure(createImageDownloader({ fetch: f.fetch })(OUTPUT_URL));
    expect([e.code, e.status]).toEqual(['not_found', 404]);
  });

  it('refuses a URL that is not allowed without fetching', async () => {
    const f = fakeFetch({});
    const e = await failure(createImageDownloader({ fetch: f.fetch })('https://evil.example/x.png'));
    expect([e.code, e.status]).toEqual(['url_not_allowed', 403]);
    expect(f.calls).toHaveLength(0);
  });
});

describe('GET /api/assets', () => {
  let server: AppServer | undefined;
  let dist: Awaited<ReturnType<typeof makeDist>> | undefined;
  let sim: FakeUpstream | undefined;

  afterEach(async () => {
    await server?.close();
    await sim?.close();
    await dist?.remove();
    server = sim = dist = undefined;
  });

  async function start(options: { fetch?: typeof fetch; simulator?: { url: string }; upstreamBaseUrl?: string } = {}) {
    dist = await makeDist();
    server = await createAppServer({
      distDir: dist.dir,
      upstreamBaseUrl: options.upstreamBaseUrl ?? 'https://model-api.runcomfy.net/v1',
      token: TOKEN,
      host: '127.0.0.1',
      port: 0,
      log: () => undefined,
      ...options,
    });
    return server;
  }
  const assetPath = (url: string) => `/api/assets?url=${encodeURIComponent(url)}`;

  it('answers the image with a sniffed Content-Type and never sends the token', async () => {
    const f = fakeFetch({ [OUTPUT_URL]: png({ 'Content-Type': 'application/octet-stream', 'Set-Cookie': 'a=b' }) });
    const s = await start({ fetch: f.fetch });
    const r = await send(s.url, { path: assetPath(OUTPUT_URL) });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('image/png');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(r.headers['set-cookie']).toBeUndefined();
    expect(r.body.equals(TINY_PNG)).toBe(true);
    expect(JSON.stringify(f.calls)).not.toContain(TOKEN);
  });

  it.each([
    ['no url', '/api/assets', 400],
    ['two urls', `/api/assets?url=${encodeURIComponent(OUTPUT_URL)}&url=${encodeURIComponent(OUTPUT_URL)}`, 400],
    ['an extra parameter', `${assetPath(OUTPUT_URL)}&x=1`, 400],
    ['a foreign host', assetPath('https://evil.example/a.png'), 403],
    ['plain http', assetPath('http://playgrounds-storage-public.runcomfy.net/a.png'), 403],
    ['this server itself', assetPath('http://127.0.0.1:8188/api/config'), 403],
    ['a malformed url', assetPath('not a url'), 400],
  ])('refuses %s', async (_name, path, status) => {
    const f = fakeFetch({ [OUTPUT_URL]: png() });
    const s = await start({ fetch: f.fetch });
    const r = await send(s.url, { path });
    expect(r.status).toBe(status);
    expect(f.calls).toHaveLength(0);
  });

  it('refuses other methods and foreign origins', async () => {
    const f = fakeFetch({ [OUTPUT_URL]: png() });
    const s = await start({ fetch: f.fetch });
    expect((await send(s.url, { method: 'POST', path: assetPath(OUTPUT_URL) })).status).toBe(405);
    expect((await send(s.url, { path: assetPath(OUTPUT_URL), headers: { Origin: 'https://evil.example' } })).status).toBe(403);
    expect((await send(s.url, { path: assetPath(OUTPUT_URL), headers: { 'Sec-Fetch-Site': 'cross-site' } })).status).toBe(403);
    expect(f.calls).toHaveLength(0);
  });

  it('allows the configured API host', async () => {
    const url = 'https://api.example.com:8443/files/a.png';
    const f = fakeFetch({ [url]: png() });
    const s = await start({ fetch: f.fetch, upstreamBaseUrl: 'https://api.example.com:8443/v1' });
    expect((await send(s.url, { path: assetPath(url) })).status).toBe(200);
  });

  it("downloads from the in-process simulator's loopback origin only in simulator mode", async () => {
    sim = await startFakeUpstream();
    sim.respond((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'image/png' });
      res.end(TINY_PNG);
    });
    const url = `${sim.origin}/v1/files/frame.png`;
    const withSim = await start({ simulator: { url: sim.origin }, upstreamBaseUrl: sim.baseUrl });
    const ok = await send(withSim.url, { path: assetPath(url) });
    expect(ok.status).toBe(200);
    expect(ok.body.equals(TINY_PNG)).toBe(true);
    await withSim.close();
    await dist?.remove();

    const withoutSim = await start({ upstreamBaseUrl: sim.baseUrl });
    expect((await send(withoutSim.url, { path: assetPath(url) })).status).toBe(403);
    expect(sim.seen).toHaveLength(1);
  });
});
