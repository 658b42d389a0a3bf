import { describe, expect, it } from 'vitest';
import type { WorkflowStorage } from '../../app/store/autosave';
import { requeueWaitingRuns } from '../../app/store/queue-session';
import { attachSessionSaver, MemoryTabSessionStore, parseTabSession, restoreTabs, sessionOf } from '../../app/store/tab-session';
import { registry } from '../../nodes';
import { flushMicrotasks } from '../fixtures/fake-clock';
import { paidWorkflow } from '../fixtures/studio-store';
import { createTestTabs, holdApi } from '../fixtures/tab-manager';

/** Tab workflows by tab id, as the browser keeps them (one record per tab). */
function docs() {
  const saved = new Map<string, unknown>();
  return {
    saved,
    storageOf: (id: string): WorkflowStorage => ({
      load: async () => saved.get(id),
      save: async (wf) => void saved.set(id, structuredClone(wf)),
    }),
  };
}

describe('tab session', () => {
  it('reopens the tabs in order with the shown tab, each tab’s view, saved binding and seed control', async () => {
    const t = createTestTabs([paidWorkflow(3), paidWorkflow(2)]);
    const d = docs();
    t.tabs.moveTab('t2', 0);
    t.tabs.activate('t1');
    t.tabs.setViewport('t1', { x: 10, y: 20, zoom: 0.5 });
    t.tabs.setSeedMode('t2', 'increment');
    t.store('t2').getState().setParam('gen', 'seed', 9);
    for (const tab of t.tabs.state.getState().tabs) await d.storageOf(tab.id).save(t.store(tab.id).getState().workflow);
    const session = sessionOf(t.tabs, 'owner-1', 5);

    const restored = await restoreTabs(session, d.storageOf, registry);
    expect(restored.activeId).toBe('t1');
    expect(restored.issues).toEqual([]);
    const again = createTestTabs(restored.seeds);
    expect(again.tabs.state.getState().tabs.map((x) => [x.id, x.dirty, x.seedMode, x.viewport])).toEqual([
      ['t2', true, 'increment', undefined],
      ['t1', false, 'fixed', { x: 10, y: 20, zoom: 0.5 }],
    ]);
    expect(
      again
        .store('t2')
        .getState()
        .workflow.nodes.find((n) => n.id === 'gen')?.params.seed,
    ).toBe(9);
    expect(again.store('t2').getState().documentId).toBe(t.store('t2').getState().documentId);
  });

  it('leaves out a tab whose workflow is gone, and says so', async () => {
    const t = createTestTabs([paidWorkflow(3), paidWorkflow(2)]);
    const d = docs();
    await d.storageOf('t1').save(t.store('t1').getState().workflow);
    const restored = await restoreTabs(sessionOf(t.tabs, 'o', 1), d.storageOf, registry);
    expect(restored.seeds.map((s) => s.id)).toEqual(['t1']);
    expect(restored.issues.map((i) => i.code)).toEqual(['tab-not-restored']);
  });

  it('writes the session after the tabs change, and a new window starts from the newest one', async () => {
    const t = createTestTabs([paidWorkflow(3)]);
    const sessions = new MemoryTabSessionStore();
    const saver = attachSessionSaver(t.tabs, sessions, { ownerId: 'w1', now: () => 100, intervalMs: 0 });
    await flushMicrotasks();
    t.tabs.newTab();
    await saver.flush();
    expect((await sessions.load('w1'))?.session.tabs.map((x) => x.id)).toEqual(['t1', 't2']);
    const other = await sessions.load('w2');
    expect(other?.own).toBe(false);
    expect(other?.session.ownerId).toBe('w1');
    saver.dispose();
  });

  it('keeps the runs waiting in the queue and puts them back, in order, after the tabs reopen', async () => {
    const t = createTestTabs([paidWorkflow(3)]);
    const d = docs();
    const store = t.store('t1');
    const hold = holdApi(t.api);
    await store.getState().requestRun();
    await store.getState().confirmRun();
    for (let i = 0; i < 100 && hold.held() === 0; i++) await flushMicrotasks();
    for (const seed of [7, 8]) {
      store.getState().setParam('gen', 'seed', seed);
      await store.getState().requestRun();
      await store.getState().confirmRun();
    }
    await d.storageOf('t1').save(store.getState().workflow);
    const session = parseTabSession(structuredClone(sessionOf(t.tabs, 'w1', 1)))!;
    expect(session.queue.map((q) => q.accepted)).toEqual([
      { paidJobs: 1, totalUsd: 0.12, repay: [] },
      { paidJobs: 1, totalUsd: 0.12, repay: [] },
    ]);

    const restored = await restoreTabs(session, d.storageOf, registry);
    const again = createTestTabs(restored.seeds);
    expect(requeueWaitingRuns(again.tabs, session.queue)).toEqual({ requeued: 2, issues: [] });
    await again.tabs.queue.idle();
    expect(again.api.calls.map((c) => c.request.params.seed)).toEqual([7, 8]);
    expect(requeueWaitingRuns(again.tabs, [{ ...session.queue[0]!, tabId: 'gone' }]).issues.map((i) => i.code)).toEqual(['queued-run-dropped']);
  });
});
