import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createCompressedCache, negotiateCoding } from '../../app/server/static-encoding';

describe('negotiateCoding', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['identity', undefined],
    ['deflate', undefined],
    ['gzip', 'gzip'],
    ['x-gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, deflate, br, zstd', 'br'],
    ['GZIP, BR', 'br'],
    ['gzip;q=1.0, br;q=0.8', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['br; q=0, gzip; q=0', undefined],
    ['*', 'br'],
    ['*;q=0', undefined],
    ['br;q=0, *', 'gzip'],
    ['gzip;q=0.001', 'gzip'],
    ['br;q=nonsense', 'br'],
  ] as const)('picks %j → %j', (header, expected) => {
    expect(negotiateCoding(header, ['br', 'gzip'])).toBe(expected);
  });

  it('picks only among the codings available when a file has no br copy', () => {
    expect(negotiateCoding('br, gzip', ['gzip'])).toBe('gzip');
    expect(negotiateCoding('br', ['gzip'])).toBeUndefined();
  });
});

describe('createCompressedCache', () => {
  const bytes = new TextEncoder().encode('abc '.repeat(2000));
  const file = { path: '/dist/a.js', size: bytes.length, mtimeMs: 1 };

  it('compresses a file once per coding and version when asked again', async () => {
    const cache = createCompressedCache();
    let reads = 0;
    const read = async () => (reads++, bytes);
    const [a, b] = await Promise.all([cache(file, 'br', read), cache(file, 'br', read)]);
    expect(a).toBe(b);
    expect(reads).toBe(1);
    expect(brotliDecompressSync(a)).toEqual(Buffer.from(bytes));
    expect(gunzipSync(await cache(file, 'gzip', read))).toEqual(Buffer.from(bytes));
    expect(reads).toBe(2);
    await cache({ ...file, mtimeMs: 2 }, 'br', read);
    expect(reads).toBe(3);
  });

  it('forgets the oldest bodies when over its byte budget', async () => {
    const cache = createCompressedCache({ maxBytes: 1 });
    let reads = 0;
    const read = async () => (reads++, bytes);
    await cache(file, 'br', read);
    await cache({ ...file, path: '/dist/b.js' }, 'br', read);
    await cache(file, 'br', read);
    expect(reads).toBe(3);
  });

  it('tries again after a read failed', async () => {
    const cache = createCompressedCache();
    await expect(cache(file, 'br', () => Promise.reject(new Error('gone')))).rejects.toThrow('gone');
    await expect(cache(file, 'br', async () => bytes)).resolves.toBeInstanceOf(Buffer);
  });
});
