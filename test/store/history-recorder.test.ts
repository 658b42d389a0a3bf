import { describe, expect, it } from 'vitest';
import { planRun } from '../../app/engine';
import { MemoryCache } from '../../app/engine/cache';
import { attachHistoryRecorder, referencesOf } from '../../app/store/history-recorder';
import { MemoryHistoryStore } from '../../app/store/history-entry';
import { trackRunSnapshots } from '../../app/store/run-snapshots';
import { registry } from '../../nodes';
import { testImage } from '../fixtures/fake-run-context';
import { createTestStore, paidWorkflow } from '../fixtures/studio-store';

function setup(maxImages = 3) {
  const t = createTestStore(paidWorkflow(maxImages));
  t.api.respond = (req, n) => {
    const images = Array.from({ length: req.maxImages }, (_, i) => testImage(1000 * n + i));
    return { requestId: `req-${n}`, images, outputUrls: images.map((_, i) => `https://out.example/${n}/${i}.png`), costUsd: 0.04 * req.maxImages };
  };
  const history = new MemoryHistoryStore();
  const snapshots = trackRunSnapshots(t.store, registry, { planRun });
  let clock = 1_700_000_000_000;
  const recorder = attachHistoryRecorder(t.store, { history, snapshots, assets: t.assets, now: () => clock });
  const run = async () => {
    await t.store.getState().requestRun();
    await t.store.getState().confirmRun();
    await recorder.idle();
    clock += 60_000;
  };
  return { ...t, history, recorder, snapshots, run };
}

describe('history recorder', () => {
  it('records a completed generation: request id, params, prompt, references, cost, time, graph and images', async () => {
    const t = setup(3);
    const ran = t.store.getState().workflow;
    await t.run();
    const [entry, ...rest] = await t.history.list();
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      v: 1,
      id: 'req-1',
      requestId: 'req-1',
      model: 'bytedance/seedream-4-5/edit-sequential',
      nodeId: 'gen',
      prompt: 'Generate 3 images of a cat',
      params: { maxImages: 3, prompt: 'Generate 3 images of a cat' },
      references: [
        { hash: testImage(1).assetId, name: 'image-1.png' },
        { hash: testImage(2).assetId, name: 'image-2.png' },
      ],
      costUsd: 0.12,
      finishedAt: 1_700_000_000_000,
      outputUrls: ['https://out.example/1/0.png', 'https://out.example/1/1.png', 'https://out.example/1/2.png'],
      source: 'run',
    });
    expect(entry!.images.map((i) => i.assetId)).toEqual([0, 1, 2].map((i) => testImage(1000 + i).assetId));
    expect(entry!.workflow).toEqual(ran);
    expect(t.store.getState().historyRevision).toBe(1);
  });

  it('records nothing for a result served from the cache', async () => {
    const t = setup(3);
    await t.run();
    await t.run();
    expect((await t.history.list()).map((e) => e.id)).toEqual(['req-1']);
    expect(t.api.calls).toHaveLength(1);
  });

  it('keeps the graph that was run, not what the canvas shows when the images arrive', async () => {
    const t = setup(3);
    const ran = t.store.getState().workflow;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const respond = t.api.respond;
    t.api.respond = async (req, n) => {
      await gate;
      return respond(req, n);
    };
    await t.store.getState().requestRun();
    const running = t.store.getState().confirmRun();
    await new Promise((r) => setTimeout(r, 0));
    t.store.getState().setParam('gen', 'seed', 99);
    release();
    await running;
    await t.recorder.idle();
    const [entry] = await t.history.list();
    expect(entry!.workflow).toEqual(ran);
  });

  it('records each of two generations of a run', async () => {
    const t = setup(2);
    await t.run();
    t.store.getState().setParam('gen', 'seed', 7);
    await t.run();
    expect((await t.history.list()).map((e) => e.id)).toEqual(['req-2', 'req-1']);
  });

  it('copies URL outputs into the asset store before recording them', async () => {
    const t = setup(1);
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 9]);
    t.assets.get = async (ref) => (ref.kind === 'url' ? bytes : new Uint8Array());
    t.api.respond = () => ({ requestId: 'req-url', images: [{ kind: 'url', url: 'https://out.example/x.png' }], outputUrls: ['https://out.example/x.png'] });
    await t.run();
    const [entry] = await t.history.list();
    expect(entry!.images).toEqual([expect.objectContaining({ kind: 'asset', sourceUrl: 'https://out.example/x.png' })]);
    expect(t.assets.bytes.get(entry!.images[0]!.assetId)).toEqual(bytes);
  });

  it('says so when the history cannot be written, and does not throw', async () => {
    const t = setup(1);
    t.history.put = async () => {
      throw new Error('quota');
    };
    await t.run();
    expect(t.store.getState().notice?.text).toMatch(/req-1.*could not be added to the history: quota/);
  });
});

describe('referencesOf', () => {
  it('lists linked references in merge order, URL images by a hash of their URL', () => {
    const wf = paidWorkflow(2);
    wf.nodes = wf.nodes.map((n) => (n.id === 'b' ? { ...n, params: { image: { kind: 'url', url: 'https://example.com/b.png' } } } : n));
    const refs = referencesOf(wf, 'gen', {});
    expect(refs[0]).toEqual({ hash: testImage(1).assetId, name: 'image-1.png' });
    expect(refs[1]).toEqual({ hash: expect.stringMatching(/^url:[0-9a-f]{64}$/), url: 'https://example.com/b.png' });
    expect(referencesOf(undefined, 'gen', {})).toEqual([]);
  });
});

describe('run snapshots', () => {
  it('finds the graph that made a result by its cache key, and nothing once the node changed', async () => {
    const t = createTestStore(paidWorkflow(3), { cache: new MemoryCache() });
    const snapshots = trackRunSnapshots(t.store, registry, { planRun });
    const key = t.store.getState().analysis.cacheKeys.get('gen')!;
    expect(snapshots.madeBy('gen', key)).toBe(t.store.getState().workflow);
    t.store.getState().setParam('gen', 'seed', 3);
    expect(snapshots.madeBy('gen', key)).toBeUndefined();
    expect(snapshots.current()).toBeUndefined();
  });
});
