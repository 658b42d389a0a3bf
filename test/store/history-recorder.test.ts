import { describe, expect, it } from 'vitest';
import type { Workflow } from '../../app/graph/workflow-schema';
import { attachHistoryRecorder } from '../../app/store/history-recorder';
import { MemoryHistoryStore, type HistoryStore } from '../../app/store/history-entry';
import { testImage } from '../fixtures/fake-run-context';
import { createLedgerTestStore, EPOCH, paidWorkflow, type LedgerWorld } from '../fixtures/studio-store';

function setup(workflow: Workflow = paidWorkflow(3), o: { world?: LedgerWorld; history?: HistoryStore } = {}) {
  const t = createLedgerTestStore(workflow, o.world ? { world: o.world } : {});
  const history = o.history ?? new MemoryHistoryStore();
  const recorder = attachHistoryRecorder(t.store, { ledger: t.ledger, history, snapshots: t.store.snapshots });
  const run = async () => {
    await t.clock.drive(t.store.getState().requestRun());
    if (t.store.getState().pendingRun) await t.clock.drive(t.store.getState().confirmRun());
    await recorder.idle();
  };
  return { ...t, history, recorder, run };
}

const until = async (t: ReturnType<typeof setup>, done: () => boolean) => {
  for (let i = 0; i < 300 && !done(); i++) await t.clock.advance(100);
  await t.recorder.idle();
};

describe('history recorder', () => {
  it('records a stored job from the ledger: request id, params, prompt, references, cost, times, graph and images', async () => {
    const t = setup();
    const ran = t.store.getState().workflow;
    await t.run();
    const [entry, ...rest] = await t.history.list();
    expect(rest).toEqual([]);
    const record = t.store.getState().jobs['job-1']!.record;
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
      startedAt: record.submittedAt,
      finishedAt: record.finishedAt,
      outputUrls: record.outputs.map((o) => o.url),
      source: 'run',
    });
    expect(entry!.finishedAt).toBeGreaterThan(EPOCH);
    expect(entry!.images.map((i) => i.assetId)).toEqual(record.outputs.map((o) => o.assetId));
    expect(entry!.workflow).toEqual(ran);
    expect(t.store.getState().historyRevision).toBe(1);
  });

  it('records nothing new when the next run reuses the stored images', async () => {
    const t = setup();
    await t.run();
    await t.run();
    expect(await t.history.list()).toHaveLength(1);
    expect(t.provider.calls.submit).toBe(1);
  });

  it('keeps the graph that was run, not what the canvas shows when the images arrive', async () => {
    const t = setup();
    const ran = t.store.getState().workflow;
    await t.clock.drive(t.store.getState().requestRun());
    const running = t.store.getState().confirmRun();
    t.store.getState().setParam('gen', 'prompt', 'Generate 3 images of a dog');
    await t.clock.drive(running);
    await t.recorder.idle();
    const [entry] = await t.history.list();
    expect(entry!.workflow).toEqual(ran);
    expect(entry!.prompt).toBe('Generate 3 images of a cat');
  });

  it('records a job collected after a stop as late', async () => {
    const t = setup();
    t.provider.defaults = { queueMs: 500, runMs: 5_000, outputs: 3 };
    await t.clock.drive(t.store.getState().requestRun());
    const running = t.store.getState().confirmRun();
    await until(t, () => t.store.getState().run.nodes.gen?.job?.record.state === 'running');
    t.store.getState().stopRun();
    await t.clock.drive(running);
    await until(t, () => t.store.getState().jobs['job-1']?.record.state === 'stored');
    expect((await t.history.list()).map((e) => e.source)).toEqual(['late']);
  });

  it('records a job re-attached after a reload as re-attached, once', async () => {
    const first = setup();
    first.provider.defaults = { queueMs: 500, runMs: 5_000, outputs: 3 };
    await first.clock.drive(first.store.getState().requestRun());
    void first.store.getState().confirmRun();
    await until(first, () => first.store.getState().jobs['job-1']?.record.state === 'running');
    first.world.runs.record = undefined;
    const second = setup(paidWorkflow(3), { world: first.world, history: first.history });
    await second.clock.drive(second.store.getState().recoverJobs());
    await until(second, () => second.store.getState().jobs['job-1']?.record.state === 'stored');
    const entries = await second.history.list();
    expect(entries.map((e) => [e.requestId, e.source])).toEqual([['req-1', 'reattached']]);
  });

  it('records a partial job with the images it has, and again once the missing ones are fetched', async () => {
    const t = setup();
    t.provider.files.set('*#2', ['fail', 'fail', 'fail', 'fail']);
    await t.run();
    expect((await t.history.list())[0]!.images).toHaveLength(2);
    await t.clock.drive(t.store.getState().fetchMissing('job-1'));
    await t.recorder.idle();
    const entries = await t.history.list();
    expect(entries).toHaveLength(1);
    expect(entries[0]!.images).toHaveLength(3);
  });

  it('says so when the history cannot be written, and does not throw', async () => {
    const broken: HistoryStore = {
      put: () => Promise.reject(new Error('quota exceeded')),
      get: async () => undefined,
      list: async () => [],
      delete: async () => undefined,
    };
    const t = setup(paidWorkflow(3), { history: broken });
    await t.run();
    expect(t.store.getState().notice).toMatchObject({ tone: 'error' });
    expect(t.store.getState().notice!.text).toMatch(/req-1.*could not be added to the history.*quota exceeded/);
  });
});
