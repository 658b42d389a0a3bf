import { describe, expect, it } from 'vitest';
import { downloadOutput, isAllowedOutputUrl, type DownloadOptions } from '../../../app/api/runcomfy/download';
import { DownloadError } from '../../../app/api/errors';
import { FakeClock } from '../../fixtures/fake-clock';
import { FakeFetch, reply } from '../../fixtures/fake-fetch';
import { realPng } from '../test-images';

describe('isAllowedOutputUrl', () => {
  it.each([
    ['https://playgrounds-storage-public.runcomfy.net/a.png', 'https://model-api.runcomfy.net/v1', true],
    ['https://runcomfy.net/a.png', 'https://model-api.runcomfy.net/v1', true],
    ['https://api.test/files/1.png', 'https://api.test/v1', true],
    ['https://cdn.example.com/a.png', 'https://model-api.runcomfy.net/v1', false],
    ['https://runcomfy.net.evil.com/a.png', 'https://model-api.runcomfy.net/v1', false],
    ['https://evilruncomfy.net/a.png', 'https://model-api.runcomfy.net/v1', false],
    ['http://storage.runcomfy.net/a.png', 'https://model-api.runcomfy.net/v1', false],
    ['https://storage.runcomfy.net:8443/a.png', 'https://model-api.runcomfy.net/v1', false],
    ['https://u:p@storage.runcomfy.net/a.png', 'https://model-api.runcomfy.net/v1', false],
    ['http://127.0.0.1:8189/files/r/1.png', 'http://127.0.0.1:8189/v1', true],
    ['http://127.0.0.1:9999/files/r/1.png', 'http://127.0.0.1:8189/v1', false],
    ['http://api.test/files/1.png', 'https://api.test/v1', false],
    ['http://lan-box:8080/files/1.png', 'http://lan-box:8080/v1', false],
  ])('%s with API %s → %s', (url, base, allowed) => {
    expect(isAllowedOutputUrl(new URL(url), base)).toBe(allowed);
  });

  it.each([
    ['http://127.0.0.1:9999/files/r/1.png', true],
    ['https://cdn.example.com/a.png', true],
    ['https://u:p@storage.runcomfy.net/a.png', false],
    ['ftp://storage.runcomfy.net/a.png', false],
  ])('leaves %s to the same-origin asset proxy (which applies the host rules) → %s', (url, allowed) => {
    expect(isAllowedOutputUrl(new URL(url), '/api/v1', true)).toBe(allowed);
  });
});

const OUT = 'https://out.runcomfy.net/r1/1.png';

function setup(over: Partial<DownloadOptions> = {}) {
  const clock = new FakeClock();
  const fake = new FakeFetch(clock);
  const options: DownloadOptions = { fetch: fake.fetch, clock, apiBaseUrl: 'https://model-api.runcomfy.net/v1', random: () => 0, ...over };
  const download = (url = OUT) => clock.drive(downloadOutput(url, options));
  return { clock, fake, download };
}

async function refusal(p: Promise<unknown>): Promise<DownloadError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DownloadError);
  return e as DownloadError;
}

describe('downloadOutput', () => {
  const png = realPng(16, 16);

  it('keeps the bytes, sending no token and following no redirect by itself', async () => {
    const { fake, download } = setup();
    fake.on('GET', '/r1/1.png', { status: 200, bytes: png });
    expect(await download()).toEqual(png);
    expect(fake.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('follows a redirect to another allowed host', async () => {
    const { fake, download } = setup();
    fake.on('GET', '/r1/1.png', reply(302, undefined, { location: 'https://cdn2.runcomfy.net/x.png' }));
    fake.on('GET', '/x.png', { status: 200, bytes: png });
    expect(await download()).toEqual(png);
    expect(fake.requests.map((r) => r.url)).toEqual([OUT, 'https://cdn2.runcomfy.net/x.png']);
  });

  it('refuses a redirect to a host outside the rules', async () => {
    const { fake, download } = setup();
    fake.on('GET', '/r1/1.png', reply(302, undefined, { location: 'https://evil.example/x.png' }));
    const e = await refusal(download());
    expect(e.message).toMatch(/redirected to evil\.example, which is not an allowed host/);
    expect(fake.requests).toHaveLength(1);
  });

  it('stops after 3 redirects', async () => {
    const { fake, download } = setup();
    fake.otherwise('GET', /.*/, reply(301, undefined, { location: '/again.png' }));
    expect((await refusal(download())).message).toMatch(/too many redirects/);
    expect(fake.requests).toHaveLength(4);
  });

  it('refuses a URL outside the rules without fetching it', async () => {
    const { fake, download } = setup();
    expect((await refusal(download('https://elsewhere.example/a.png'))).message).toMatch(/only https URLs on \*\.runcomfy\.net/);
    expect(fake.requests).toHaveLength(0);
  });

  it('enforces the size cap by Content-Length and while reading', async () => {
    const { fake, download } = setup({ maxBytes: 100 });
    fake.on('GET', '/r1/1.png', { status: 200, bytes: new Uint8Array(10), headers: { 'content-length': '5000' } });
    expect((await refusal(download())).message).toMatch(/5000 bytes, over the 100-byte cap/);
    fake.on('GET', '/r1/1.png', { status: 200, bytes: new Uint8Array(500) });
    expect((await refusal(download())).message).toMatch(/the image is over the 100-byte cap/);
  });

  it('refuses bytes that are not an image', async () => {
    const { fake, download } = setup();
    fake.on('GET', '/r1/1.png', { status: 200, text: '<html>login</html>' });
    expect((await refusal(download())).message).toMatch(/not a PNG, JPEG or WebP image/);
  });

  it('says an expired link has expired, without retrying', async () => {
    const { fake, download } = setup();
    fake.otherwise('GET', '/r1/1.png', reply(403));
    const e = await refusal(download());
    expect(e).toMatchObject({ code: 'download', retryable: false, expired: true, status: 403 });
    expect(e.message).toMatch(/HTTP 403: the link has probably expired/);
    expect(fake.requests).toHaveLength(1);
  });

  it('retries transient failures a bounded number of times', async () => {
    const { fake, download } = setup();
    fake.on('GET', '/r1/1.png', reply(503), { status: 200, bytes: png });
    expect(await download()).toEqual(png);
    fake.otherwise('GET', '/r1/1.png', reply(503));
    expect(await refusal(download())).toMatchObject({ retryable: true, expired: false, status: 503 });
    expect(fake.requests).toHaveLength(2 + 3);
  });

  it('fetches through a proxy when told to, after checking the original URL', async () => {
    const { fake, download } = setup({ via: (u) => `https://app.test/api/assets?url=${encodeURIComponent(u)}` });
    fake.on('GET', '/api/assets', { status: 200, bytes: png });
    expect(await download()).toEqual(png);
    expect(fake.requests[0]!.query.get('url')).toBe(OUT);
  });
});
