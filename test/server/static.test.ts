import { symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppServer, type AppServer } from '../../app/server/http-server';
import { toRelativePath } from '../../app/server/static';
import { makeDist, send } from './server-fixtures';

describe('static files', () => {
  let dist: Awaited<ReturnType<typeof makeDist>>;
  let server: AppServer;

  beforeEach(async () => {
    dist = await makeDist();
    server = await createAppServer({ distDir: dist.dir, upstreamBaseUrl: 'http://127.0.0.1:9/v1', host: '127.0.0.1', port: 0, log: () => undefined });
  });
  afterEach(async () => {
    await server.close();
    await dist.remove();
  });

  it('serves index.html for / without long caching', async () => {
    const r = await send(server.url, { path: '/' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.text).toContain('/assets/index-AbCdEf12.js');
  });

  it.each([
    ['/assets/index-AbCdEf12.js', 'text/javascript; charset=utf-8'],
    ['/assets/style-Zz9Yy8Xx.css', 'text/css; charset=utf-8'],
    ['/favicon.svg', 'image/svg+xml'],
  ])('serves %s as %s', async (path, type) => {
    const r = await send(server.url, { path });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(type);
  });

  it('caches hashed assets for a year and other files not at all', async () => {
    expect((await send(server.url, { path: '/assets/index-AbCdEf12.js' })).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await send(server.url, { path: '/favicon.svg' })).headers['cache-control']).toBe('no-cache');
  });

  it('sets the security headers on every answer', async () => {
    for (const path of ['/', '/assets/index-AbCdEf12.js', '/missing']) {
      const r = await send(server.url, { path });
      expect(r.headers['content-security-policy']).toContain("default-src 'self'");
      expect(r.headers['content-security-policy']).toContain("script-src 'self';");
      expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['cross-origin-opener-policy']).toBe('same-origin');
    }
  });

  it('answers HEAD without a body', async () => {
    const r = await send(server.url, { method: 'HEAD', path: '/' });
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(0);
  });

  it('refuses other methods', async () => {
    const r = await send(server.url, { method: 'POST', path: '/', body: 'x' });
    expect(r.status).toBe(405);
  });

  it.each([
    '/../package.json',
    '/assets/../../package.json',
    '/%2e%2e/package.json',
    '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
    '/..%5cpackage.json',
    '/.secret',
    '/assets/',
    '/index.html%00.js',
    '/%E0%A4%A',
    '/nope.js',
  ])('never serves %s', async (path) => {
    const r = await send(server.url, { path });
    expect([400, 404]).toContain(r.status);
    expect(r.text).not.toContain('sequence-studio');
    expect(r.text).not.toContain('dotfile');
  });

  it('does not follow a symlink out of the build folder', async () => {
    await symlink(join(process.cwd(), 'package.json'), join(dist.dir, 'escape.json'));
    const r = await send(server.url, { path: '/escape.json' });
    expect(r.status).toBe(404);
  });
});

describe('static files, compressed', () => {
  let dist: Awaited<ReturnType<typeof makeDist>>;
  let server: AppServer;
  const JS = '/assets/app-Qw3Er5Ty.js';
  const source = Buffer.from(Array.from({ length: 400 }, (_, i) => `export const value${i} = ${i} * 2;\n`).join(''));

  beforeEach(async () => {
    dist = await makeDist();
    await writeFile(join(dist.dir, JS), source);
    server = await createAppServer({ distDir: dist.dir, upstreamBaseUrl: 'http://127.0.0.1:9/v1', host: '127.0.0.1', port: 0, log: () => undefined });
  });
  afterEach(async () => {
    await server.close();
    await dist.remove();
  });

  it('sends br when the browser accepts br and gzip, with the length of the bytes sent', async () => {
    const r = await send(server.url, { path: JS, headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('br');
    expect(r.headers['vary']).toBe('Accept-Encoding');
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    expect(r.body.length).toBeLessThan(source.length / 4);
    expect(brotliDecompressSync(r.body)).toEqual(source);
  });

  it('sends gzip when the browser refuses br or prefers gzip', async () => {
    for (const accept of ['gzip', 'br;q=0, gzip', 'br;q=0.5, gzip;q=1']) {
      const r = await send(server.url, { path: JS, headers: { 'accept-encoding': accept } });
      expect(r.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(r.body)).toEqual(source);
    }
  });

  it('sends the file as it is when the browser accepts no coding the server has', async () => {
    for (const accept of [undefined, 'identity', 'deflate', 'br;q=0, gzip;q=0', '*;q=0']) {
      const r = await send(server.url, { path: JS, headers: accept === undefined ? {} : { 'accept-encoding': accept } });
      expect(r.headers['content-encoding']).toBeUndefined();
      expect(r.headers['vary']).toBe('Accept-Encoding');
      expect(Number(r.headers['content-length'])).toBe(source.length);
      expect(r.body).toEqual(source);
    }
  });

  it('prefers the copy the build wrote beside the file over compressing again', async () => {
    const precompressed = brotliCompressSync(source);
    await writeFile(join(dist.dir, `${JS}.br`), precompressed);
    const r = await send(server.url, { path: JS, headers: { 'accept-encoding': 'br' } });
    expect(r.headers['content-encoding']).toBe('br');
    expect(r.body).toEqual(precompressed);
  });

  it('ignores a precompressed copy older than the file (a later build changed the file)', async () => {
    await writeFile(join(dist.dir, `${JS}.gz`), gzipSync(Buffer.from('stale')));
    await utimes(join(dist.dir, `${JS}.gz`), new Date(2000, 0, 1), new Date(2000, 0, 1));
    const r = await send(server.url, { path: JS, headers: { 'accept-encoding': 'gzip' } });
    expect(gunzipSync(r.body)).toEqual(source);
  });

  it('gives each coding its own ETag and answers a matching If-None-Match with 304', async () => {
    const tags = new Set<string>();
    for (const accept of ['br', 'gzip', 'identity']) {
      const first = await send(server.url, { path: JS, headers: { 'accept-encoding': accept } });
      const etag = String(first.headers['etag']);
      tags.add(etag);
      const again = await send(server.url, { path: JS, headers: { 'accept-encoding': accept, 'if-none-match': `W/"other", ${etag}` } });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
      expect(again.headers['etag']).toBe(etag);
      expect(again.headers['vary']).toBe('Accept-Encoding');
    }
    expect(tags.size).toBe(3);
    const stale = await send(server.url, { path: JS, headers: { 'accept-encoding': 'br', 'if-none-match': '"old"' } });
    expect(stale.status).toBe(200);
  });

  it('answers HEAD with the compressed length and no body', async () => {
    const get = await send(server.url, { path: JS, headers: { 'accept-encoding': 'br' } });
    const head = await send(server.url, { method: 'HEAD', path: JS, headers: { 'accept-encoding': 'br' } });
    expect(head.headers['content-encoding']).toBe('br');
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    expect(head.body.length).toBe(0);
  });

  it('leaves images and files under 1 KiB alone', async () => {
    for (const path of ['/assets/index-AbCdEf12.js', '/favicon.svg']) {
      const r = await send(server.url, { path, headers: { 'accept-encoding': 'br, gzip' } });
      expect(r.headers['content-encoding']).toBeUndefined();
    }
    await writeFile(join(dist.dir, 'big.png'), Buffer.alloc(4096));
    const png = await send(server.url, { path: '/big.png', headers: { 'accept-encoding': 'br, gzip' } });
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(png.headers['vary']).toBeUndefined();
    expect(png.body.length).toBe(4096);
  });

  it('does not follow a symlinked precompressed copy out of the build folder', async () => {
    await symlink(join(process.cwd(), 'package.json'), join(dist.dir, `${JS}.br`));
    const r = await send(server.url, { path: JS, headers: { 'accept-encoding': 'br' } });
    expect(brotliDecompressSync(r.body)).toEqual(source);
  });
});

describe('toRelativePath', () => {
  it.each([
    ['/', ''],
    ['/index.html', 'index.html'],
    ['/assets/a-1.js', 'assets/a-1.js'],
    ['/a%20b.png', 'a b.png'],
    ['/../x', null],
    ['/a//b', null],
    ['/.git/config', null],
    ['/%', undefined],
    ['/a%00', undefined],
    ['/a\\b', undefined],
  ])('maps %s to %j', (raw, expected) => {
    expect(toRelativePath(raw)).toBe(expected);
  });
});
