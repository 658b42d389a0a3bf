import { describe, expect, it } from 'vitest';
import type { Workflow } from '../../app/graph/workflow-schema';
import { attachAutosave, restoreWorkflow, type WorkflowStorage } from '../../app/store/autosave';
import { registry } from '../../nodes';
import { flushMicrotasks } from '../fixtures/fake-clock';
import { createTestStore, paidWorkflow } from '../fixtures/studio-store';

/** Timers driven by hand, and a storage that records saves and can be made to fail. */
function harness() {
  let now = 0;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const saved: Workflow[] = [];
  let failWith: Error | null = null;
  const storage: WorkflowStorage = {
    load: async () => saved.at(-1),
    save: async (wf) => {
      if (failWith) throw failWith;
      saved.push(wf);
    },
  };
  const t = createTestStore(paidWorkflow());
  const autosave = attachAutosave(t.store, storage, {
    intervalMs: 500,
    now: () => now,
    setTimer: (fn, ms) => {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimer: (id) => {
      const i = timers.findIndex((x) => x.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
  });
  const advance = async (ms: number) => {
    now += ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const due = timers[0];
      if (!due || due.at > now) break;
      timers.shift();
      due.fn();
      await flushMicrotasks();
    }
    await flushMicrotasks();
  };
  return { ...t, autosave, saved, advance, fail: (e: Error | null) => (failWith = e) };
}

const move = (x: number) => new Map([['gen', { x, y: 0 }]]);

describe('autosave', () => {
  it('saves at most once per 500 ms while a drag goes on, and once more when it ends', async () => {
    const h = harness();
    for (let i = 1; i <= 60; i++) {
      h.store.getState().moveNodes(move(i), true);
      await h.advance(16); // ~1 s of 60 fps drag frames
    }
    expect(h.saved.length).toBeGreaterThanOrEqual(1);
    expect(h.saved.length).toBeLessThanOrEqual(2);
    h.store.getState().endDrag();
    await flushMicrotasks();
    await h.autosave.idle();
    expect(h.saved.at(-1)!.nodes.find((n) => n.id === 'gen')!.position.x).toBe(60);
  });

  it('does not save when nothing in the workflow changed', async () => {
    const h = harness();
    h.store.getState().setSelection(['gen']);
    await h.advance(2_000);
    expect(h.saved).toHaveLength(0);
  });

  it('keeps a storage warning until a save succeeds, without touching the workflow in memory', async () => {
    const h = harness();
    const quota = Object.assign(new Error('quota'), { name: 'QuotaExceededError' });
    h.fail(quota);
    h.store.getState().setParam('gen', 'prompt', 'one');
    await h.advance(600);
    expect(h.store.getState().storageError).toMatch(/storage is full/i);
    expect(h.store.getState().workflow.nodes.find((n) => n.id === 'gen')!.params.prompt).toBe('one');
    h.store.getState().setParam('gen', 'prompt', 'two');
    await h.advance(600);
    expect(h.store.getState().storageError).not.toBeNull();
    h.fail(null);
    h.store.getState().setParam('gen', 'prompt', 'three');
    await h.advance(600);
    expect(h.store.getState().storageError).toBeNull();
    expect(h.saved.at(-1)!.nodes.find((n) => n.id === 'gen')!.params.prompt).toBe('three');
  });

  it('brings the saved workflow back, migrated, when restored', async () => {
    const h = harness();
    h.store.getState().setParam('gen', 'prompt', 'kept');
    await h.advance(600);
    const storage: WorkflowStorage = { load: async () => JSON.parse(JSON.stringify(h.saved.at(-1))), save: async () => undefined };
    const restored = await restoreWorkflow(storage, registry);
    expect(restored.workflow?.nodes.find((n) => n.id === 'gen')!.params.prompt).toBe('kept');
  });

  it('reports a saved workflow it cannot read instead of throwing', async () => {
    const restored = await restoreWorkflow({ load: async () => ({ schemaVersion: 99, nodes: [], edges: [] }), save: async () => undefined }, registry);
    expect(restored.workflow).toBeUndefined();
    expect(restored.issues[0]!.message).toMatch(/newer/);
  });

  it('sets the storage warning instead of throwing when the storage throws while it serialises', async () => {
    const t = createTestStore(paidWorkflow());
    const storage: WorkflowStorage = {
      load: () => Promise.resolve(undefined),
      // A storage that serialises eagerly (JSON.stringify before any await) throws, not rejects.
      save: (wf) => {
        throw new RangeError(`Maximum call stack size exceeded (${wf.nodes.length} nodes)`);
      },
    };
    const autosave = attachAutosave(t.store, storage, { setTimer: () => 0, clearTimer: () => undefined });
    t.store.getState().setParam('gen', 'prompt', 'changed');
    await expect(autosave.flush()).resolves.toBeUndefined();
    expect(t.store.getState().storageError).toMatch(/could not be saved in this browser \(Maximum call stack size exceeded/);
    autosave.dispose();
  });

  it('refuses a saved workflow nested 10,000 levels deep when restoring, instead of throwing later', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const saved = { ...paidWorkflow(), meta: { extra: deep } };
    const restored = await restoreWorkflow({ load: () => Promise.resolve(saved), save: () => Promise.resolve() }, registry);
    expect(restored.workflow).toBeUndefined();
    expect(restored.issues).toEqual([expect.objectContaining({ code: 'too-deep' })]);
  });
});
