import { describe, expect, it } from 'vitest';
import { emptyWorkflow } from '../../app/graph/workflow-schema';
import { isRunActive } from '../../app/store/run-reducer';
import { flushMicrotasks } from '../fixtures/fake-clock';
import { paidWorkflow } from '../fixtures/studio-store';
import { createTestTabs, holdApi } from '../fixtures/tab-manager';

const seedOf = (t: ReturnType<typeof createTestTabs>, tab: string) =>
  t
    .store(tab)
    .getState()
    .workflow.nodes.find((n) => n.id === 'gen')?.params.seed;

/** Waits (bounded) until `fn` holds, letting promises run. */
async function until(fn: () => boolean, what: string) {
  for (let i = 0; i < 200 && !fn(); i++) await flushMicrotasks();
  if (!fn()) throw new Error(`timed out waiting for ${what}`);
}

describe('tab manager', () => {
  it('gives every tab its own undo history when two tabs are edited', () => {
    const t = createTestTabs([paidWorkflow(3), paidWorkflow(2)]);
    const [a, b] = t.tabs.state.getState().tabs.map((x) => x.id) as [string, string];
    t.store(a).getState().setParam('gen', 'seed', 1);
    t.tick(5_000);
    t.store(b).getState().setParam('gen', 'seed', 2);
    t.tick(5_000);
    t.store(b).getState().setParam('gen', 'seed', 3);
    t.store(a).undo();
    expect(seedOf(t, a)).toBeUndefined();
    expect(seedOf(t, b)).toBe(3);
    t.store(b).undo();
    expect(seedOf(t, b)).toBe(2);
    expect(t.store(a).temporal.getState().pastStates).toHaveLength(0);
    expect(t.store(b).temporal.getState().pastStates).toHaveLength(1);
  });

  it('keeps the run state in the tab that ran when another tab is shown', async () => {
    const t = createTestTabs([paidWorkflow(3)]);
    const a = t.tabs.state.getState().activeId;
    const b = t.tabs.openInTab(paidWorkflow(2), 'second');
    expect(t.tabs.state.getState().activeId).not.toBe(a);
    await t.store(a).getState().requestRun();
    await t.store(a).getState().confirmRun();
    await t.tabs.queue.idle();
    expect(t.store(a).getState().run.phase).toBe('succeeded');
    expect(t.store(a).getState().results.gen?.outputs).toBeDefined();
    expect(b.getState().run).toMatchObject({ phase: 'idle', nodeIds: [] });
    expect(b.getState().results.gen).toBeUndefined();
    expect(t.api.calls).toHaveLength(1);
  });

  it('opens a workflow in the shown tab when it is an untouched empty one, and in a new tab otherwise', () => {
    const t = createTestTabs();
    const first = t.tabs.state.getState().activeId;
    const shown = t.tabs.openInTab(paidWorkflow(3), 'a template');
    expect(t.tabs.state.getState().tabs.map((x) => x.id)).toEqual([first]);
    expect(shown).toBe(t.store(first));
    expect(shown.temporal.getState().pastStates).toHaveLength(0);
    expect(t.tabs.state.getState().tabs[0]).toMatchObject({ title: 'a template', dirty: false });
    t.tabs.openInTab(paidWorkflow(2));
    expect(t.tabs.state.getState().tabs).toHaveLength(2);
    t.tabs.newTab();
    t.tabs.newTab();
    expect(t.tabs.state.getState().tabs).toHaveLength(4);
  });

  it('never gives a node added in one tab an id a node of another tab has', () => {
    const t = createTestTabs([paidWorkflow(3)]);
    const other = t.tabs.openInTab(emptyWorkflow());
    const a = other.getState().addNode('image.load', { x: 0, y: 0 });
    const b = t.tabs.newTab().getState().addNode('image.load', { x: 0, y: 0 });
    expect(a).not.toBe(b);
  });

  it('marks a tab changed after an edit and unchanged again when undone', () => {
    const t = createTestTabs([paidWorkflow(3)]);
    const id = t.tabs.state.getState().activeId;
    t.store(id).getState().setParam('gen', 'seed', 7);
    expect(t.tabs.state.getState().tabs[0]!.dirty).toBe(true);
    t.store(id).undo();
    expect(t.tabs.state.getState().tabs[0]!.dirty).toBe(false);
  });

  it('moves tabs, cycles round the end, and shows a neighbour when the shown tab closes', () => {
    const t = createTestTabs([emptyWorkflow({ name: 'a' }), emptyWorkflow({ name: 'b' }), emptyWorkflow({ name: 'c' })]);
    const titles = () => t.tabs.state.getState().tabs.map((x) => x.title);
    const shownTitle = () => t.tabs.state.getState().tabs.find((x) => x.id === t.tabs.state.getState().activeId)?.title;
    t.tabs.moveTab('t3', 0);
    expect(titles()).toEqual(['c', 'a', 'b']);
    t.tabs.activate('t2');
    t.tabs.cycle(1);
    expect(shownTitle()).toBe('c');
    t.tabs.cycle(-1);
    expect(shownTitle()).toBe('b');
    t.tabs.closeTab('t2');
    expect(titles()).toEqual(['c', 'a']);
    expect(shownTitle()).toBe('a');
    t.tabs.closeTab('t1');
    t.tabs.closeTab('t3');
    expect(titles()).toEqual(['Untitled']);
  });

  it('keeps a closed tab running until its run ends, drops its waiting runs, and collects its results', async () => {
    const t = createTestTabs([paidWorkflow(3)]);
    const id = t.tabs.state.getState().activeId;
    const hold = holdApi(t.api);
    const store = t.store(id);
    await store.getState().requestRun();
    await store.getState().confirmRun();
    await until(() => hold.held() === 1, 'the submit');
    store.getState().setParam('gen', 'seed', 99);
    await store.getState().requestRun();
    await store.getState().confirmRun();
    expect(t.tabs.closeCheck(id)).toEqual({ dirty: true, running: true, queued: 1 });
    t.tabs.closeTab(id);
    expect(t.tabs.queue.store.getState().items.map((i) => i.status)).toEqual(['running', 'cancelled']);
    expect(t.tabs.storeOf(id)).toBe(store);
    hold.release();
    await t.tabs.queue.idle();
    await until(() => t.tabs.storeOf(id) === undefined, 'the closed tab to let go');
    expect(t.api.calls).toHaveLength(1);
    expect(isRunActive(store.getState().run)).toBe(false);
    expect((await t.cache.get(store.getState().run.nodes.gen!.cacheKey!))?.outputs).toBeDefined();
  });
});
