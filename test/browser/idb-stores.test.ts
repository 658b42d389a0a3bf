import 'fake-indexeddb/auto';
import { encode } from 'fast-png';
import { afterEach, describe, expect, it } from 'vitest';
import { createIdbAssetStore } from '../../app/browser/idb-asset-store';
import { createIdbCacheStore, namespacedCache } from '../../app/browser/idb-cache-store';
import { MemoryCache } from '../../app/engine/cache';
import { openStudioDB } from '../../app/browser/idb-database';
import { createIdbWorkflowStorage } from '../../app/browser/idb-workflow-storage';
import { importImageFile } from '../../app/browser/import-image';
import { bytesHash } from '../../app/lib/hash';
import { paidWorkflow } from '../fixtures/studio-store';

let dbCount = 0;
const freshDb = () => openStudioDB(`test-${++dbCount}`);
const png = (width: number, height: number) => encode({ width, height, data: new Uint8Array(width * height * 3).fill(90), channels: 3 });

describe('IndexedDB stores', () => {
  const opened: { close(): void }[] = [];
  afterEach(() => opened.splice(0).forEach((db) => db.close()));

  it('stores image bytes content-addressed by SHA-256 and reads them back', async () => {
    const db = await freshDb();
    opened.push(db);
    const assets = createIdbAssetStore(db);
    const bytes = png(32, 20);
    const ref = await assets.put(bytes, { name: 'a.png' });
    expect(ref).toMatchObject({ kind: 'asset', assetId: bytesHash(bytes), mime: 'image/png', width: 32, height: 20, name: 'a.png' });
    expect(await assets.get(ref)).toEqual(bytes);
    expect((await assets.put(bytes)).assetId).toBe(ref.assetId);
  });

  it('refuses bytes that are not an image and names a missing asset clearly', async () => {
    const db = await freshDb();
    opened.push(db);
    const assets = createIdbAssetStore(db);
    await expect(assets.put(new Uint8Array([1, 2, 3]))).rejects.toThrow(/not a PNG, JPEG or WebP/);
    await expect(assets.get({ kind: 'asset', assetId: 'f'.repeat(64), mime: 'image/png', name: 'gone.png' })).rejects.toThrow(/gone\.png.*no longer stored/);
  });

  it('reads URL images through the same-origin image route', async () => {
    const db = await freshDb();
    opened.push(db);
    const asked: string[] = [];
    const bytes = png(16, 16);
    const assets = createIdbAssetStore(db, (async (url: string) => {
      asked.push(url);
      return new Response(bytes as Uint8Array<ArrayBuffer>);
    }) as typeof fetch);
    expect(await assets.get({ kind: 'url', url: 'https://x.runcomfy.net/a.png' })).toEqual(bytes);
    expect(asked).toEqual([`/api/assets?url=${encodeURIComponent('https://x.runcomfy.net/a.png')}`]);
  });

  it('keeps the current workflow and node results across a reopen', async () => {
    const name = `test-${++dbCount}`;
    const db1 = await openStudioDB(name);
    await createIdbWorkflowStorage(db1).save(paidWorkflow(4));
    await createIdbCacheStore(db1).set('key-1', { outputs: { text: 'hi' }, meta: { requestId: 'r' } });
    db1.close();
    const db2 = await openStudioDB(name);
    opened.push(db2);
    const loaded = (await createIdbWorkflowStorage(db2).load()) as ReturnType<typeof paidWorkflow>;
    expect(loaded.nodes.find((n) => n.id === 'gen')!.params.maxImages).toBe(4);
    const cache = createIdbCacheStore(db2);
    expect(await cache.get('key-1')).toEqual({ outputs: { text: 'hi' }, meta: { requestId: 'r' } });
    expect(await cache.has('key-2')).toBe(false);
  });
});

describe('importImageFile', () => {
  it.each([
    ['a tiny image', png(10, 10), /between 15 and 5999 px/],
    ['a too narrow image', png(20, 400), /1:16 to 16:1/],
    ['a file that is not PNG or JPEG', new Uint8Array([0x47, 0x49, 0x46, 0x38]), /Only PNG and JPEG/],
  ])('refuses %s with a reason', async (_name, bytes, message) => {
    const db = await freshDb();
    const result = await importImageFile(createIdbAssetStore(db), new Blob([bytes as Uint8Array<ArrayBuffer>]));
    db.close();
    expect(result).toEqual({ ok: false, message: expect.stringMatching(message) });
  });

  it('stores an acceptable reference image', async () => {
    const db = await freshDb();
    const result = await importImageFile(createIdbAssetStore(db), new Blob([png(64, 48) as Uint8Array<ArrayBuffer>]), 'ref.png');
    db.close();
    expect(result).toMatchObject({ ok: true, ref: { kind: 'asset', name: 'ref.png', width: 64, height: 48 } });
  });
});

describe('namespacedCache', () => {
  it('keeps a simulator result from being served for RunComfy, and RunComfy keys as they were', async () => {
    const base = new MemoryCache();
    const result = { outputs: { images: [] }, meta: {} };
    await namespacedCache(base, 'simulator').set('k1', result);
    expect(await namespacedCache(base, 'runcomfy:https://model-api.runcomfy.net/v1').get('k1')).toBeUndefined();
    expect(await namespacedCache(base, 'simulator').get('k1')).toEqual(result);
    await namespacedCache(base, 'runcomfy:https://model-api.runcomfy.net/v1').set('k2', result);
    expect(await base.get('k2')).toEqual(result);
  });
});
