import { describe, expect, it } from 'vitest';
import { flushMicrotasks } from '../fixtures/fake-clock';
import { createTestStore, paidWorkflow } from '../fixtures/studio-store';
import { graph } from '../fixtures/graph-builder';
import { testImage } from '../fixtures/fake-run-context';

describe('run slice', () => {
  it('opens the cost dialog instead of running when a paid job would be submitted', async () => {
    const t = createTestStore(paidWorkflow(3));
    await t.store.getState().requestRun();
    const pending = t.store.getState().pendingRun;
    expect(t.api.calls).toHaveLength(0);
    expect(pending?.estimate).toMatchObject({ paidJobs: 1, priceUsd: 0.04 });
    expect(pending?.estimate.items).toEqual([expect.objectContaining({ nodeId: 'gen', maxOutputs: 3, status: 'pay', cached: false })]);
    expect(pending?.estimate.totalUsd).toBeCloseTo(0.12);
  });

  it('runs after confirm and keeps the frames with their cache key', async () => {
    const t = createTestStore(paidWorkflow(3));
    await t.store.getState().requestRun();
    await t.store.getState().confirmRun();
    const s = t.store.getState();
    expect(t.api.calls).toHaveLength(1);
    expect(s.run.phase).toBe('succeeded');
    expect(s.run.nodes.gen!.status).toBe('done');
    expect((s.results.gen!.outputs.images as unknown[]).length).toBe(3);
    expect(s.results.gen!.cacheKey).toBe(s.analysis.cacheKeys.get('gen'));
    expect(s.pendingRun).toBeNull();
  });

  it('runs without asking when every paid node is cached, at no cost', async () => {
    const t = createTestStore(paidWorkflow(3));
    await t.store.getState().requestRun();
    await t.store.getState().confirmRun();
    await t.store.getState().requestRun();
    expect(t.store.getState().pendingRun).toBeNull();
    expect(t.api.calls).toHaveLength(1);
    expect(t.store.getState().run.nodes.gen!.status).toBe('cached');
  });

  it('prices cached nodes at $0 and the rest at price × max images', async () => {
    const wf = graph()
      .node('a', 'image.load', { image: testImage(1) })
      .node('g1', 'seedream.edit-sequential', { prompt: 'Generate 2 images', maxImages: 2 })
      .node('g2', 'seedream.edit-sequential', { prompt: 'Generate 5 images', maxImages: 5 })
      .node('v1', 'image.preview')
      .node('v2', 'image.preview')
      .edge('a.image', 'g1.images')
      .edge('a.image', 'g2.images')
      .edge('g1.images', 'v1.images')
      .edge('g2.images', 'v2.images')
      .build();
    const t = createTestStore(wf);
    await t.store.getState().requestRun(['v1']);
    await t.store.getState().confirmRun();
    await t.store.getState().requestRun();
    const estimate = t.store.getState().pendingRun!.estimate;
    expect(estimate.items.map((i) => [i.nodeId, i.cached, i.costUsd])).toEqual([
      ['g1', true, 0],
      ['g2', false, 0.2],
    ]);
    expect(estimate.totalUsd).toBeCloseTo(0.2);
  });

  it('runs only what the selected node needs when run to here', async () => {
    const t = createTestStore(paidWorkflow(3));
    await t.store.getState().requestRun(['a']);
    expect(t.store.getState().pendingRun).toBeNull();
    expect(t.store.getState().run.nodeIds).toEqual(['a']);
  });

  it('still asks, with the price marked unknown, when the catalog cannot be read', async () => {
    const t = createTestStore(paidWorkflow(3), {
      pricing: {
        priceUsd: () => Promise.reject(new Error('HTTP 503')),
      },
    });
    await t.store.getState().requestRun();
    const estimate = t.store.getState().pendingRun!.estimate;
    expect(estimate.totalUsd).toBeUndefined();
    expect(estimate.priceError).toContain('HTTP 503');
  });

  it('does not ask for money when the workflow has errors, and reports the run as invalid', async () => {
    const t = createTestStore(paidWorkflow(3));
    t.store.getState().setParam('gen', 'prompt', '');
    await t.store.getState().requestRun();
    expect(t.store.getState().pendingRun).toBeNull();
    expect(t.store.getState().run.phase).toBe('invalid');
    expect(t.store.getState().run.issues.map((i) => i.code)).toContain('prompt-empty');
    expect(t.api.calls).toHaveLength(0);
  });

  it('forgets the pending run when the dialog is cancelled', async () => {
    const t = createTestStore(paidWorkflow(3));
    await t.store.getState().requestRun();
    t.store.getState().cancelPendingRun();
    expect(t.store.getState().pendingRun).toBeNull();
    expect(t.api.calls).toHaveLength(0);
  });

  it('stops a run and marks the node that was running as stopped when Stop is pressed', async () => {
    const t = createTestStore(paidWorkflow(3));
    t.api.progress = [[{ phase: 'running', requestId: 'req-9' }, 'Generating']];
    t.api.respond = () => new Promise(() => undefined);
    await t.store.getState().requestRun();
    const running = t.store.getState().confirmRun();
    for (let i = 0; i < 20 && t.store.getState().run.nodes.gen?.status !== 'running'; i++) await flushMicrotasks();
    expect(t.store.getState().run.nodes.gen).toMatchObject({ status: 'running', requestId: 'req-9' });
    t.store.getState().stopRun();
    await running;
    const s = t.store.getState();
    expect(s.run.phase).toBe('aborted');
    expect(s.run.nodes.gen).toMatchObject({ status: 'error', stopped: true, error: { code: 'aborted' } });
    expect(t.api.calls[0]!.signal.aborted).toBe(true);
  });

  it('shows the images of a job stopped while running when they still arrive, and reuses them next run', async () => {
    const t = createTestStore(paidWorkflow(3));
    t.api.progress = [[{ phase: 'running', requestId: 'req-5' }, 'Generating']];
    let deliver!: () => void;
    // Like the service in 'collect' mode: a running job keeps going after the stop.
    t.api.respond = (_req, n) =>
      new Promise((resolve) => {
        deliver = () =>
          resolve({
            jobId: `job-${n}`,
            requestId: `req-${n}`,
            images: [testImage(70), testImage(71), testImage(72)],
            missing: [],
            outputUrls: [],
            reused: false,
          });
      });
    await t.store.getState().requestRun();
    const running = t.store.getState().confirmRun();
    for (let i = 0; i < 20 && t.store.getState().run.nodes.gen?.status !== 'running'; i++) await flushMicrotasks();
    t.store.getState().stopRun();
    await running;
    expect(t.store.getState().run.nodes.gen).toMatchObject({ status: 'error', stopped: true });
    deliver();
    for (let i = 0; i < 20 && !t.store.getState().results.gen; i++) await flushMicrotasks();
    const s = t.store.getState();
    expect(s.run.nodes.gen).toMatchObject({ status: 'done', collected: true });
    expect(s.results.gen!.outputs.images).toEqual([testImage(70), testImage(71), testImage(72)]);
    expect(s.results.gen!.cacheKey).toBe(s.analysis.cacheKeys.get('gen'));
    await t.store.getState().requestRun();
    expect(t.store.getState().pendingRun).toBeNull();
    expect(t.store.getState().run.nodes.gen!.status).toBe('cached');
    expect(t.api.calls).toHaveLength(1);
  });

  it('shows cached results again after a reload when the cache still has their keys', async () => {
    const t = createTestStore(paidWorkflow(3));
    await t.store.getState().requestRun();
    await t.store.getState().confirmRun();
    const reloaded = createTestStore(paidWorkflow(3), { cache: t.cache });
    await reloaded.store.getState().hydrateResults();
    expect(reloaded.store.getState().results.gen).toMatchObject({ cached: true, cacheKey: t.store.getState().results.gen!.cacheKey });
  });
});
