import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { bytesHash } from '../../app/lib/hash';
import { MAX_ASSET_BYTES, PgAssetStore } from '../../app/server/pg/pg-asset-store';
import { jpegHeader, pngHeader } from '../api/test-images';
import { pgClusterForFile } from './pg-fixtures';

const pg = pgClusterForFile();

async function freshStore(fetchRemote?: (url: string) => Promise<Uint8Array>) {
  const url = await pg.freshDatabase();
  return { url, store: await PgAssetStore.open(pg.pool(url), fetchRemote) };
}

describe('PgAssetStore', () => {
  it('stores bytes by content, sniffs the format, and serves them to another connection', async () => {
    const { url, store } = await freshStore();
    const png = pngHeader(640, 480, 5_000);
    const ref = await store.put(png, { name: 'a.png', sourceUrl: 'https://files.example/a.png' });
    expect(ref).toEqual({
      kind: 'asset',
      assetId: bytesHash(png),
      mime: 'image/png',
      width: 640,
      height: 480,
      name: 'a.png',
      sourceUrl: 'https://files.example/a.png',
    });
    const other = new PgAssetStore(pg.pool(url));
    expect(await other.get(ref)).toEqual(png);
    expect(await other.info(ref.assetId)).toEqual({ assetId: ref.assetId, mime: 'image/png', width: 640, height: 480, size: 5_000 });
    const jpeg = await store.put(jpegHeader(3, 2));
    expect([jpeg.mime, jpeg.width, jpeg.height]).toEqual(['image/jpeg', 3, 2]);
  });

  it('reads an asset from the database once, then from memory (bytes under an id never change), up to a size per image', async () => {
    const { url, store } = await freshStore();
    const png = pngHeader(64, 64, 3_000);
    const ref = await store.put(png);
    const reader = new PgAssetStore(pg.pool(url));
    const queries = vi.spyOn(reader.pool, 'query');
    try {
      const first = await reader.get(ref);
      first.fill(0); // the caller's copy: changing it changes nothing stored
      for (let i = 0; i < 5; i++) expect(await reader.get(ref)).toEqual(png);
      expect(queries).toHaveBeenCalledTimes(1);
    } finally {
      queries.mockRestore();
    }
    // An image over the size kept in memory is read from the database every time.
    const small = new PgAssetStore(pg.pool(url), undefined, { maxItemBytes: 1_000 });
    const reads = vi.spyOn(small.pool, 'query');
    try {
      await small.get(ref);
      await small.get(ref);
      expect(reads).toHaveBeenCalledTimes(2);
    } finally {
      reads.mockRestore();
    }
  });

  it('keeps one row when the same image is stored twice, even at once from two workers', async () => {
    const { url, store } = await freshStore();
    const other = new PgAssetStore(pg.pool(url));
    const png = pngHeader(8, 8, 300);
    const [a, b] = await Promise.all([store.put(png), other.put(png)]);
    expect(a.assetId).toBe(b.assetId);
    await store.put(png);
    const { rows } = await store.pool.query('SELECT count(*)::int AS n FROM assets');
    expect(rows[0].n).toBe(1);
  });

  it('refuses what is not an image and what is over 64 MiB, storing nothing', async () => {
    const { store } = await freshStore();
    await expect(store.put(new TextEncoder().encode('<html>'), { name: 'page.png' })).rejects.toThrow(/Not a PNG, JPEG or WebP image: page.png/);
    await expect(store.put(pngHeader(10, 10, MAX_ASSET_BYTES + 1))).rejects.toThrow(/too large to store \(67108865 bytes; at most 67108864, 64 MiB\)/);
    const { rows } = await store.pool.query('SELECT count(*)::int AS n FROM assets');
    expect(rows[0].n).toBe(0);
  });

  it('stores an asset of exactly 64 MiB', async () => {
    const { store } = await freshStore();
    const big = pngHeader(4096, 4096, MAX_ASSET_BYTES);
    const ref = await store.put(big);
    expect((await store.info(ref.assetId))?.size).toBe(MAX_ASSET_BYTES);
  });

  it('says which asset is missing, and fetches URL images through the injected fetcher only', async () => {
    const fetched: string[] = [];
    const { store } = await freshStore(async (url) => {
      fetched.push(url);
      return pngHeader(1, 1);
    });
    await expect(store.get({ kind: 'asset', assetId: 'f'.repeat(64), mime: 'image/png' })).rejects.toThrow(
      /Image asset ffffffffffff… is missing from the PostgreSQL asset store/,
    );
    expect(await store.get({ kind: 'url', url: 'https://example.com/x.png' })).toEqual(pngHeader(1, 1));
    expect(fetched).toEqual(['https://example.com/x.png']);
    const bare = new PgAssetStore(store.pool);
    await expect(bare.get({ kind: 'url', url: 'https://example.com/x.png' })).rejects.toThrow(/no downloader configured/);
    expect(await bare.info('f'.repeat(64))).toBeUndefined();
  });

  it('exports an asset to a file atomically, and names the file it could not write', async () => {
    const { store } = await freshStore();
    const dir = await mkdtemp(join(tmpdir(), 'pg-export-'));
    try {
      const png = pngHeader(12, 34, 2_000);
      const ref = await store.put(png);
      const path = join(dir, 'out.png');
      expect(await store.export(ref.assetId, path)).toEqual({ assetId: ref.assetId, mime: 'image/png', width: 12, height: 34, size: 2_000 });
      expect(new Uint8Array(await readFile(path))).toEqual(png);
      await expect(store.export('0'.repeat(64), join(dir, 'missing.png'))).rejects.toThrow(/missing\.png was not written/);
      await expect(store.export(ref.assetId, join(dir, 'no-such-dir', 'x.png'))).rejects.toThrow(/ENOENT/);
      expect((await readdir(dir)).sort()).toEqual(['out.png']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
