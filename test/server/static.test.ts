import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
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
