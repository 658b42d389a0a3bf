import { describe, expect, it } from 'vitest';
import { createRunQueue, type QueueItem, type QueueOutcome } from '../../app/store/run-queue';
import { emptyWorkflow } from '../../app/graph/workflow-schema';
import { flushMicrotasks } from '../fixtures/fake-clock';
import { paidWorkflow } from '../fixtures/studio-store';
import { createTestTabs, holdApi } from '../fixtures/tab-manager';

async function until(fn: () => boolean, what: string) {
  for (let i = 0; i < 200 && !fn(); i++) await flushMicrotasks();
  if (!fn()) throw new Error(`timed out waiting for ${what}`);
}

/** A queue whose runner records the order and ends each run when told. */
function recordingQueue() {
  const ran: string[] = [];
  const ends = new Map<string, (o: QueueOutcome) => void>();
  const stopped: string[] = [];
  const queue = createRunQueue({
    run: (item: QueueItem) => {
      ran.push(item.label ?? item.id);
      return new Promise<QueueOutcome>((resolve) => ends.set(item.label ?? item.id, resolve));
    },
    stop: (item) => stopped.push(item.label ?? item.id),
  });
  const run = (label: string) => ({ workflow: emptyWorkflow(), documentId: 'd', accepted: { paidJobs: 1, totalUsd: 0.12, repay: [] }, label });
  return { queue, ran, ends, stopped, run };
}

describe('run queue', () => {
  it('runs one at a time, in order, when runs are added while one is going', async () => {
    const q = recordingQueue();
    q.queue.add('a', 'A', [q.run('1')]);
    q.queue.add('b', 'B', [q.run('2'), q.run('3')]);
    await flushMicrotasks();
    expect(q.ran).toEqual(['1']);
    expect(q.queue.store.getState().items.map((i) => i.status)).toEqual(['running', 'pending', 'pending']);
    q.ends.get('1')!({ status: 'done' });
    await until(() => q.ran.length === 2, 'the second run');
    expect(q.ran).toEqual(['1', '2']);
    q.ends.get('2')!({ status: 'failed', note: 'x' });
    await until(() => q.ran.length === 3, 'the third run');
    q.ends.get('3')!({ status: 'done' });
    await q.queue.idle();
    expect(q.queue.store.getState().items.map((i) => [i.label, i.status])).toEqual([
      ['3', 'done'],
      ['2', 'failed'],
      ['1', 'done'],
    ]);
  });

  it('cancels and reorders pending runs, never the running one, and stops it through its tab', async () => {
    const q = recordingQueue();
    const [first, second, third] = q.queue.add('a', 'A', [q.run('1'), q.run('2'), q.run('3')]);
    await flushMicrotasks();
    expect(q.queue.cancel(first!.id)).toBe(false);
    q.queue.move(third!.id, 0);
    expect(
      q.queue.store
        .getState()
        .items.filter((i) => i.status === 'pending')
        .map((i) => i.label),
    ).toEqual(['3', '2']);
    expect(q.queue.cancel(second!.id)).toBe(true);
    q.queue.stopRunning();
    expect(q.stopped).toEqual(['1']);
    q.ends.get('1')!({ status: 'stopped' });
    await until(() => q.ran.length === 2, 'the next run');
    expect(q.ran).toEqual(['1', '3']);
  });

  it('keeps a run whose cost went up in its place, waiting for an OK, and goes on with the next', async () => {
    const q = recordingQueue();
    const [a] = q.queue.add('t', 'T', [q.run('1'), q.run('2')]);
    await flushMicrotasks();
    q.ends.get('1')!({ status: 'needs-ok', estimate: { items: [], priceUsd: 0.04, totalUsd: 0.2, paidJobs: 2, blocked: [] }, note: 'more' });
    await until(() => q.ran.length === 2, 'the next run');
    expect(q.queue.store.getState().items.find((i) => i.id === a!.id)).toMatchObject({ status: 'needs-ok', recheck: { paidJobs: 2 } });
    q.ends.get('2')!({ status: 'done' });
    await until(() => !q.queue.busy(), 'the queue to rest');
    q.queue.reaccept(a!.id, { paidJobs: 2, totalUsd: 0.2, repay: [] });
    await until(() => q.ran.length === 3, 'the re-accepted run');
    expect(q.ran).toEqual(['1', '2', '1']);
  });
});

describe('queued runs in tabs', () => {
  it('queues a snapshot of the graph when Run is pressed while a run is going, with its own cost first', async () => {
    const t = createTestTabs([paidWorkflow(3)]);
    const id = t.tabs.state.getState().activeId;
    const store = t.store(id);
    const hold = holdApi(t.api);
    await store.getState().requestRun();
    expect(store.getState().pendingRun?.queue?.behind).toBe(false);
    await store.getState().confirmRun();
    await until(() => hold.held() === 1, 'the first submit');

    store.getState().setParam('gen', 'seed', 7);
    await store.getState().requestRun();
    const pending = store.getState().pendingRun!;
    expect(pending.queue?.behind).toBe(true);
    expect(pending.estimate).toMatchObject({ paidJobs: 1, totalUsd: 0.12 });
    expect(t.tabs.queue.store.getState().items).toHaveLength(1);
    await store.getState().confirmRun();
    // Edits after queueing do not change what the queued run runs.
    store.getState().setParam('gen', 'seed', 8);
    const items = t.tabs.queue.store.getState().items;
    expect(items.map((i) => i.status)).toEqual(['running', 'pending']);
    expect(items[1]!.accepted).toEqual({ paidJobs: 1, totalUsd: 0.12, repay: [] });

    hold.release();
    await until(() => hold.held() === 1, 'the second submit');
    hold.release();
    await t.tabs.queue.idle();
    expect(t.api.calls.map((c) => c.request.params.seed)).toEqual([54519385, 7]);
  });

  it('does not start a queued run that would now pay for work it expected to reuse, and asks again', async () => {
    const t = createTestTabs([paidWorkflow(3)]);
    const a = t.store(t.tabs.state.getState().activeId);
    await a.getState().requestRun();
    await a.getState().confirmRun();
    await t.tabs.queue.idle();
    expect(t.api.calls).toHaveLength(1);
    // Another tab's run is going; the first graph, cached, is queued behind it at $0 (no dialog).
    const b = t.tabs.openInTab(paidWorkflow(2), 'b');
    const hold = holdApi(t.api);
    await b.getState().requestRun();
    await b.getState().confirmRun();
    await until(() => hold.held() === 1, 'b’s submit');
    await a.getState().requestRun();
    expect(a.getState().pendingRun).toBeNull();
    const queued = t.tabs.queue.store.getState().items[1]!;
    expect(queued).toMatchObject({ status: 'pending', accepted: { paidJobs: 0 } });
    // The cached result is gone by the time its turn comes: running it now would pay.
    t.cache.entries.clear();
    hold.release();
    await until(() => t.tabs.queue.store.getState().items.some((i) => i.status === 'needs-ok'), 'the re-check');
    expect(t.api.calls).toHaveLength(2);
    const waiting = t.tabs.queue.store.getState().items.find((i) => i.status === 'needs-ok')!;
    expect(waiting.recheck).toMatchObject({ paidJobs: 1, totalUsd: 0.12 });
    a.getState().reviewQueued(waiting);
    expect(a.getState().pendingRun?.queue?.replaces).toBe(waiting.id);
    await a.getState().confirmRun();
    await until(() => hold.held() === 1, 'the paid re-run');
    hold.release();
    await t.tabs.queue.idle();
    expect(t.api.calls).toHaveLength(3);
    expect(t.tabs.queue.store.getState().items.find((i) => i.id === waiting.id)?.status).toBe('done');
  });

  it('queues Queue ×3 with seeds s, s+1, s+2 under increment and leaves the seed at s+3', async () => {
    const t = createTestTabs([paidWorkflow(2)]);
    const store = t.store(t.tabs.state.getState().activeId);
    store.getState().setParam('gen', 'seed', 100);
    await store.getState().requestRun(undefined, { count: 3, seedMode: 'increment' });
    const pending = store.getState().pendingRun!;
    expect(pending.queue!.drafts.map((d) => d.seeds)).toEqual([[100], [101], [102]]);
    expect(pending.queue!.drafts.map((d) => d.estimate?.totalUsd)).toEqual([0.08, 0.08, 0.08]);
    expect(t.api.calls).toHaveLength(0);
    await store.getState().confirmRun();
    expect(store.getState().workflow.nodes.find((n) => n.id === 'gen')!.params.seed).toBe(103);
    expect(t.tabs.queue.store.getState().items.map((i) => i.label)).toEqual(['1 of 3', '2 of 3', '3 of 3']);
    await t.tabs.queue.idle();
    expect(t.api.calls.map((c) => c.request.params.seed)).toEqual([100, 101, 102]);
    // One undo step brings the seed back to where it was before queueing.
    store.undo();
    expect(store.getState().workflow.nodes.find((n) => n.id === 'gen')!.params.seed).toBe(100);
  });

  it('queues nothing and leaves the seed when the cost dialog of Queue ×N is cancelled', async () => {
    const t = createTestTabs([paidWorkflow(2)]);
    const store = t.store(t.tabs.state.getState().activeId);
    await store.getState().requestRun(undefined, { count: 2, seedMode: 'randomize' });
    store.getState().cancelPendingRun();
    expect(t.tabs.queue.store.getState().items).toEqual([]);
    expect(store.getState().workflow.nodes.find((n) => n.id === 'gen')!.params.seed).toBeUndefined();
  });

  it('runs two tabs’ runs one after the other, each in its own tab', async () => {
    const t = createTestTabs([paidWorkflow(3)]);
    const a = t.store(t.tabs.state.getState().activeId);
    const b = t.tabs.openInTab(paidWorkflow(2), 'b');
    const hold = holdApi(t.api);
    await a.getState().requestRun();
    await a.getState().confirmRun();
    await until(() => hold.held() === 1, 'a’s submit');
    await b.getState().requestRun();
    expect(b.getState().pendingRun?.queue?.behind).toBe(true);
    await b.getState().confirmRun();
    expect(b.getState().run.phase).toBe('idle');
    hold.release();
    await until(() => hold.held() === 1, 'b’s submit');
    expect(a.getState().run.phase).toBe('succeeded');
    expect(b.getState().run.phase).toBe('running');
    hold.release();
    await t.tabs.queue.idle();
    expect(b.getState().run.phase).toBe('succeeded');
    expect(t.api.calls.map((c) => c.request.maxOutputs)).toEqual([3, 2]);
  });
});
