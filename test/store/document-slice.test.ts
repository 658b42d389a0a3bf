import { describe, expect, it } from 'vitest';
import { emptyWorkflow } from '../../app/graph/workflow-schema';
import { createIdAllocator } from '../../app/store/id-allocator';
import { flushMicrotasks } from '../fixtures/fake-clock';
import { testImage } from '../fixtures/fake-run-context';
import { graph } from '../fixtures/graph-builder';
import { createTestStore, paidWorkflow } from '../fixtures/studio-store';

/** Load Image → Seedream → Preview with the ids the editor gives a graph built by hand. */
const handBuilt = (prompt = 'Generate 2 images of a kite') =>
  graph({ name: 'kite' })
    .node('n1', 'image.load', { image: testImage(1) })
    .node('n2', 'seedream.edit-sequential', { prompt, maxImages: 2 })
    .node('n3', 'image.preview')
    .edge('n1.image', 'n2.images')
    .edge('n2.images', 'n3.images')
    .build();

async function ranTwice(t: ReturnType<typeof createTestStore>) {
  await t.store.getState().requestRun();
  await t.store.getState().confirmRun();
  await t.store.getState().requestRun();
  expect(t.store.getState().run.nodes.n2?.status).toBe('cached');
}

describe('document slice', () => {
  it('starts the new document with no run state when New follows a run (issue 9, item 2)', async () => {
    const t = createTestStore(handBuilt());
    await ranTwice(t);
    const before = t.store.getState().documentId;
    expect(t.store.getState().openDocument(emptyWorkflow({ name: 'Untitled' }))).toBe(true);
    const s = t.store.getState();
    expect(s.documentId).not.toBe(before);
    expect(s.run).toMatchObject({ runId: null, phase: 'idle', nodeIds: [], nodes: {} });
    expect(s.results).toEqual({});
  });

  it('gives nodes added after New ids that no node of the earlier document had', async () => {
    const t = createTestStore(handBuilt());
    await ranTwice(t);
    t.store.getState().openDocument(emptyWorkflow());
    const a = t.store.getState().addNode('image.load', { x: 0, y: 0 });
    const b = t.store.getState().addNode('seedream.edit-sequential', { x: 300, y: 0 });
    expect([a, b]).toEqual(['n4', 'n5']);
    const s = t.store.getState();
    expect(s.run.nodes[a]).toBeUndefined();
    expect(s.run.nodes[b]).toBeUndefined();
    expect(s.results[a]).toBeUndefined();
    expect(s.connect({ node: a, port: 'image' }, { node: b, port: 'images' }).ok).toBe(true);
    expect(s.workflow.edges).toEqual([]);
    expect(t.store.getState().workflow.edges.map((e) => e.id)).toEqual(['e3']);
  });

  it('shows no status from the old run on a template that reuses its node ids', async () => {
    const t = createTestStore(handBuilt());
    await ranTwice(t);
    t.store.getState().openDocument(handBuilt('Generate 2 images of a boat'));
    const s = t.store.getState();
    expect(s.run.nodes).toEqual({});
    await flushMicrotasks();
    // n1 (the same Load Image) is the same work, so its cached result shows; n2 is new work.
    expect(t.store.getState().results.n1?.cached).toBe(true);
    expect(t.store.getState().results.n2).toBeUndefined();
  });

  it('shows the cached results of the same work when a workflow that ran is opened again', async () => {
    const t = createTestStore(handBuilt());
    await ranTwice(t);
    t.store.getState().openDocument(emptyWorkflow());
    t.store.getState().openDocument(handBuilt());
    for (let i = 0; i < 10 && !t.store.getState().results.n2; i++) await flushMicrotasks();
    const s = t.store.getState();
    expect(s.results.n2).toMatchObject({ cached: true, cacheKey: s.analysis.cacheKeys.get('n2') });
    expect(s.run.nodes).toEqual({});
  });

  it('refuses to open another document while a run is going', async () => {
    const t = createTestStore(paidWorkflow(3));
    t.api.respond = () => new Promise(() => undefined);
    await t.store.getState().requestRun();
    void t.store.getState().confirmRun();
    for (let i = 0; i < 20 && t.store.getState().run.nodes.gen?.status !== 'running'; i++) await flushMicrotasks();
    const before = t.store.getState().documentId;
    expect(t.store.getState().openDocument(emptyWorkflow())).toBe(false);
    const s = t.store.getState();
    expect(s.documentId).toBe(before);
    expect(s.workflow.nodes).toHaveLength(4);
    expect(s.notice?.text).toMatch(/run is going/);
  });

  it('drops a cost dialog whose estimate finished after another document was opened', async () => {
    let release!: () => void;
    const t = createTestStore(paidWorkflow(3), {
      pricing: { priceUsd: () => new Promise((resolve) => (release = () => resolve(0.04))) },
    });
    const asked = t.store.getState().requestRun();
    for (let i = 0; i < 10 && !release; i++) await flushMicrotasks();
    t.store.getState().openDocument(emptyWorkflow());
    release();
    await asked;
    expect(t.store.getState().pendingRun).toBeNull();
  });

  it('undoes New as one step, back to the earlier workflow', async () => {
    const t = createTestStore(handBuilt());
    t.store.getState().openDocument(emptyWorkflow());
    t.store.undo();
    expect(t.store.getState().workflow.nodes.map((n) => n.id)).toEqual(['n1', 'n2', 'n3']);
  });
});

describe('createIdAllocator', () => {
  it('never issues a number twice for a prefix, whatever workflows it saw', () => {
    const ids = createIdAllocator();
    ids.see({ nodes: [{ id: 'n7' }, { id: 'load' }] as never, edges: [{ id: 'e2' }] as never });
    expect(ids.next('n', new Set())).toBe('n8');
    expect(ids.next('n', new Set(['n9', 'n10']))).toBe('n11');
    expect(ids.next('e', new Set())).toBe('e3');
    ids.see({ nodes: [{ id: 'n1' }] as never, edges: [] });
    expect(ids.next('n', new Set())).toBe('n12');
  });
});
