import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { createDownloadOutputSink } from '../../app/browser/download-output-sink';
import { createIdbDeliveryMemory, createMemoryDeliveryMemory, deliveryKey, DELIVERIES_KEPT } from '../../app/browser/delivery-memory';
import { openStudioDB } from '../../app/browser/idb-database';
import type { ImageRef } from '../../app/graph/ports';
import { FakeClock } from '../fixtures/fake-clock';
import { FakeGeneration, MemoryAssetStore, testImage } from '../fixtures/fake-run-context';
import { graph } from '../fixtures/graph-builder';
import { createTestStore } from '../fixtures/studio-store';

let dbCount = 0;
const opened: { close(): void }[] = [];
afterEach(() => opened.splice(0).forEach((db) => db.close()));
const freshDb = async (name = `deliveries-${++dbCount}`) => {
  const db = await openStudioDB(name);
  opened.push(db);
  return db;
};

/** A sink on PNG-looking assets, recording download names. */
async function setup(memory = createMemoryDeliveryMemory()) {
  const assets = new MemoryAssetStore();
  const refs: ImageRef[] = [];
  for (let i = 0; i < 2; i++) refs.push(await assets.put(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, i])));
  const downloads: string[] = [];
  const sink = createDownloadOutputSink(assets, (name) => downloads.push(name), { memory });
  const save = (prefix: string, images = refs) => sink.save(images, { nodeId: 's', prefix, signal: new AbortController().signal });
  return { assets, refs, downloads, sink, save };
}

describe('download output sink with a delivery memory', () => {
  it('downloads nothing when the same images are saved again under the same prefix', async () => {
    const { downloads, save } = await setup();
    expect(await save('shot')).toEqual(['shot-01.png', 'shot-02.png']);
    expect(await save('shot')).toEqual(['shot-01.png', 'shot-02.png']);
    expect(downloads).toEqual(['shot-01.png', 'shot-02.png']);
  });

  it('downloads when the prefix or the images changed', async () => {
    const { downloads, save, refs } = await setup();
    await save('shot');
    await save('take');
    await save('take', [refs[1]!, refs[0]!]);
    expect(downloads).toEqual(['shot-01.png', 'shot-02.png', 'take-01.png', 'take-02.png', 'take-01.png', 'take-02.png']);
  });

  it('downloads again when asked explicitly (Save again)', async () => {
    const { downloads, save, sink, refs } = await setup();
    await save('shot');
    expect(await sink.saveAgain(refs, { prefix: 'shot' })).toEqual(['shot-01.png', 'shot-02.png']);
    expect(downloads).toHaveLength(4);
  });

  it('delivers once when two Save nodes of one run get the same images at once', async () => {
    const { downloads, save } = await setup();
    await Promise.all([save('shot'), save('shot')]);
    expect(downloads).toEqual(['shot-01.png', 'shot-02.png']);
  });

  it('downloads every time without a memory (the behaviour the CLI keeps for its --out folders)', async () => {
    const assets = new MemoryAssetStore();
    const ref = await assets.put(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const downloads: string[] = [];
    const sink = createDownloadOutputSink(assets, (name) => downloads.push(name));
    for (let i = 0; i < 2; i++) await sink.save([ref], { nodeId: 's', prefix: 'x', signal: new AbortController().signal });
    expect(downloads).toEqual(['x-01.png', 'x-01.png']);
  });
});

describe('createIdbDeliveryMemory', () => {
  it('remembers deliveries across page loads', async () => {
    const name = `deliveries-${++dbCount}`;
    const first = await setup(createIdbDeliveryMemory(await freshDb(name)));
    await first.save('shot');
    const second = await setup(createIdbDeliveryMemory(await freshDb(name)));
    expect(await second.save('shot')).toEqual(['shot-01.png', 'shot-02.png']);
    expect(second.downloads).toEqual([]);
  });

  it('forgets the oldest delivery when more than it keeps were made', async () => {
    expect(DELIVERIES_KEPT).toBeGreaterThanOrEqual(100);
    const memory = createIdbDeliveryMemory(await freshDb(), { keep: 3 });
    for (let i = 0; i < 4; i++) await memory.put(`k${i}`, [`f${i}.png`]);
    await memory.put('k1', ['again.png']);
    expect(await memory.get('k0')).toBeUndefined();
    expect(await memory.get('k1')).toEqual(['again.png']);
    expect(await memory.get('k3')).toEqual(['f3.png']);
  });

  it('treats an unreadable record as no deliveries', async () => {
    const db = await freshDb();
    await db.put('settings', { v: 99 }, 'save-deliveries');
    const memory = createIdbDeliveryMemory(db);
    expect(await memory.get(deliveryKey('x', [testImage(1)]))).toBeUndefined();
    await memory.put('k', ['a.png']);
    expect(await memory.get('k')).toEqual(['a.png']);
  });
});

describe('Save in the editor (issue 9, item 4)', () => {
  it('downloads once when a fully cached run follows a run, and again on Save again', async () => {
    const assets = new MemoryAssetStore();
    const image = await assets.put(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 7]));
    const downloads: string[] = [];
    const output = createDownloadOutputSink(assets, (name) => downloads.push(name), { memory: createMemoryDeliveryMemory() });
    const workflow = graph({ name: 'save' })
      .node('load', 'image.load', { image })
      .node('save', 'image.save', { prefix: 'kite' })
      .edge('load.image', 'save.images')
      .build();
    const t = createTestStore(workflow, { services: { generation: new FakeGeneration(), assets, output, clock: new FakeClock() } });
    await t.store.getState().requestRun();
    await t.store.getState().requestRun();
    expect(t.store.getState().run.nodes.load?.status).toBe('cached');
    expect(t.store.getState().run.nodes.save?.status).toBe('done');
    expect(downloads).toEqual(['kite-01.png']);
    expect(t.store.getState().results.save?.meta).toMatchObject({ files: ['kite-01.png'] });
    await output.saveAgain([image], { prefix: 'kite' });
    expect(downloads).toEqual(['kite-01.png', 'kite-01.png']);
  });
});
