import type * as FsPromises from 'node:fs/promises';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FileAssetStore } from '../../app/server/file-asset-store';
import { FileCacheStore } from '../../app/server/file-cache-store';
import { inFolder } from '../../app/server/file-dirs';
import { FileOutputSink } from '../../app/server/file-output-sink';

const made = vi.hoisted(() => ({ dirs: [] as string[] }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  return {
    ...fs,
    mkdir: (path: string, options?: Parameters<typeof fs.mkdir>[1]) => {
      made.dirs.push(path);
      return fs.mkdir(path, options);
    },
  };
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-dirs-'));
  made.dirs.length = 0;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const png = (seed: number) => encode({ width: 4, height: 4, data: new Uint8Array(4 * 4 * 3).map((_, i) => (i * seed) % 256), channels: 3, depth: 8 });
const signal = new AbortController().signal;

describe('inFolder', () => {
  it('makes a missing folder (with its parents) and writes once more', async () => {
    const target = join(dir, 'a', 'b');
    let tries = 0;
    const written = await inFolder(target, async () => {
      tries++;
      await readdir(target);
      return 'written';
    });
    expect(written).toBe('written');
    expect(tries).toBe(2);
    expect(made.dirs).toEqual([target]);
  });

  it('passes other errors on without making anything', async () => {
    await expect(
      inFolder(join(dir, 'x'), () => {
        throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      }),
    ).rejects.toThrow('disk full');
    expect(made.dirs).toEqual([]);
  });
});

describe('file stores', () => {
  it('make their folders once, not before every write, and again when one was deleted', async () => {
    const assets = new FileAssetStore(join(dir, 'assets'));
    const cache = new FileCacheStore(join(dir, 'cache'), assets);
    const sink = new FileOutputSink(join(dir, 'out'), assets);
    for (let i = 1; i <= 3; i++) {
      const ref = await assets.put(png(i));
      await cache.set(`${i}`.repeat(64), { outputs: { images: [ref] }, meta: {} });
      await sink.save([ref], { nodeId: 's', prefix: 'shot', signal });
    }
    expect(made.dirs).toEqual([join(dir, 'assets'), join(dir, 'cache', 'results'), join(dir, 'out')]);

    await rm(join(dir, 'out'), { recursive: true });
    await rm(join(dir, 'assets'), { recursive: true });
    const ref = await assets.put(png(9));
    expect(await sink.save([ref], { nodeId: 's', prefix: 'shot', signal })).toEqual(['shot_00004.png']);
    expect(made.dirs.slice(3)).toEqual([join(dir, 'assets'), join(dir, 'out')]);
    expect(await readdir(join(dir, 'out'))).toEqual(['shot_00004.png']);
  });
});
