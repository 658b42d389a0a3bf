import type * as FsPromises from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FileAssetStore } from '../../app/server/file-asset-store';
import { FileCacheStore } from '../../app/server/file-cache-store';

const reads = vi.hoisted(() => ({ paths: [] as string[] }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  return {
    ...fs,
    readFile: (path: string, options?: Parameters<typeof fs.readFile>[1]) => {
      reads.paths.push(path);
      return fs.readFile(path, options);
    },
  };
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-reads-'));
  reads.paths.length = 0;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const png = (w: number, seed = 1) => encode({ width: w, height: w, data: new Uint8Array(w * w * 3).map((_, i) => (i * seed) % 256), channels: 3, depth: 8 });

describe('FileAssetStore', () => {
  it('reads an asset it just stored, or read before, from memory', async () => {
    const assets = new FileAssetStore(join(dir, 'assets'));
    const ref = await assets.put(png(8));
    expect(await assets.get(ref)).toEqual(png(8));
    const again = new FileAssetStore(join(dir, 'assets'));
    for (let i = 0; i < 3; i++) expect(await again.get(ref)).toEqual(png(8));
    expect(reads.paths).toEqual([again.pathOf(ref.assetId, 'image/png')]);
  });

  it('reads assets bigger than it keeps from disk every time', async () => {
    const assets = new FileAssetStore(join(dir, 'assets'), undefined, { maxItemBytes: 16 });
    const ref = await assets.put(png(8));
    await assets.get(ref);
    await assets.get(ref);
    expect(reads.paths).toHaveLength(2);
  });
});

describe('FileCacheStore', () => {
  it('reads a result once for repeated hits and still misses when its images are gone', async () => {
    const assets = new FileAssetStore(join(dir, 'assets'));
    const cache = new FileCacheStore(dir, assets);
    const ref = await assets.put(png(8));
    const key = 'e'.repeat(64);
    await cache.set(key, { outputs: { images: [ref] }, meta: {} });
    for (let i = 0; i < 3; i++) expect(await cache.get(key)).toEqual({ outputs: { images: [ref] }, meta: {} });
    expect(reads.paths).toEqual([join(dir, 'results', `${key}.json`)]);
    await rm(assets.pathOf(ref.assetId, 'image/png'));
    expect(await cache.get(key)).toBeUndefined();
  });
});
