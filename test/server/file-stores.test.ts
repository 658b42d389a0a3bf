import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileAssetStore } from '../../app/server/file-asset-store';
import { FileCacheStore } from '../../app/server/file-cache-store';
import { FileOutputSink } from '../../app/server/file-output-sink';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-stores-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const png = (w = 20, h = 16, seed = 1) =>
  encode({ width: w, height: h, data: new Uint8Array(w * h * 3).map((_, i) => (i * seed) % 256), channels: 3, depth: 8 });
const signal = new AbortController().signal;

describe('FileAssetStore', () => {
  it('stores bytes under their content hash with format and size read from the header', async () => {
    const assets = new FileAssetStore(join(dir, 'a'));
    const ref = await assets.put(png(20, 16), { name: 'x.png' });
    expect(ref).toMatchObject({ kind: 'asset', mime: 'image/png', width: 20, height: 16, name: 'x.png' });
    expect(await readdir(join(dir, 'a'))).toEqual([`${ref.assetId}.png`]);
    expect(await assets.get(ref)).toEqual(png(20, 16));
    expect((await assets.put(png(20, 16))).assetId).toBe(ref.assetId);
  });

  it('refuses bytes that are not an image and names a missing asset', async () => {
    const assets = new FileAssetStore(join(dir, 'a'));
    await expect(assets.put(new TextEncoder().encode('hello'), { name: 'notes.png' })).rejects.toThrow(/notes\.png/);
    await expect(assets.get({ kind: 'asset', assetId: 'a'.repeat(64), mime: 'image/png' })).rejects.toThrow(/missing/);
    await expect(assets.get({ kind: 'url', url: 'https://example.com/a.png' })).rejects.toThrow(/no downloader/);
  });
});

describe('FileCacheStore', () => {
  it('round-trips a result and treats one whose image bytes are gone as a miss', async () => {
    const assets = new FileAssetStore(join(dir, 'assets'));
    const cache = new FileCacheStore(dir, assets);
    const ref = await assets.put(png());
    const key = 'c'.repeat(64);
    await cache.set(key, { outputs: { images: [ref] }, meta: { requestId: 'r1' } });
    expect(await cache.get(key)).toEqual({ outputs: { images: [ref] }, meta: { requestId: 'r1' } });
    await rm(join(dir, 'assets', `${ref.assetId}.png`));
    expect(await cache.get(key)).toBeUndefined();
  });

  it('treats corrupt files and odd keys as misses', async () => {
    const cache = new FileCacheStore(dir, new FileAssetStore(join(dir, 'assets')));
    await cache.set('d'.repeat(64), { outputs: { text: 'hi' }, meta: {} });
    await writeFile(join(dir, 'results', `${'d'.repeat(64)}.json`), '{"outputs": 3');
    expect(await cache.get('d'.repeat(64))).toBeUndefined();
    expect(await cache.get('../../etc/passwd')).toBeUndefined();
  });
});

describe('FileOutputSink', () => {
  it('numbers files per prefix and never overwrites what is already there', async () => {
    const assets = new FileAssetStore(join(dir, 'assets'));
    const [a, b] = [await assets.put(png(20, 16, 1)), await assets.put(png(20, 16, 3))];
    const out = join(dir, 'out');
    await new FileOutputSink(out, assets).save([a], { nodeId: 's', prefix: 'shot', signal });
    const sink = new FileOutputSink(out, assets);
    expect(await sink.save([a, b], { nodeId: 's', prefix: 'shot', signal })).toEqual(['shot_00002.png', 'shot_00003.png']);
    expect(sink.saved.map((f) => [f.file, f.index, f.assetId])).toEqual([
      ['shot_00002.png', 0, a.assetId],
      ['shot_00003.png', 1, b.assetId],
    ]);
    expect(await readFile(join(out, 'shot_00001.png'))).toEqual(Buffer.from(await assets.get(a)));
  });
});
