import { describe, expect, it } from 'vitest';
import { createTestStore, paidWorkflow } from '../fixtures/studio-store';
import { graph } from '../fixtures/graph-builder';
import { testImage } from '../fixtures/fake-run-context';

describe('graph slice', () => {
  it('adds a node with its kind default params when added from the palette', () => {
    const { store } = createTestStore();
    const id = store.getState().addNode('seedream.edit-sequential', { x: 10, y: 20 });
    const node = store.getState().workflow.nodes.find((n) => n.id === id)!;
    expect(node).toMatchObject({ kind: 'seedream.edit-sequential', kindVersion: 1, position: { x: 10, y: 20 } });
    expect(node.params).toMatchObject({ prompt: '', maxImages: 3, resolution: '2048x2048 (1:1)' });
  });

  it('gives new nodes ids that are not taken when nodes already exist', () => {
    const { store } = createTestStore(graph().node('n1', 'text.prompt').build());
    const id = store.getState().addNode('text.prompt', { x: 0, y: 0 });
    expect(id).toBe('n2');
  });

  it('links a node added from a dropped link to the first compatible port when linkFrom is given', () => {
    const { store } = createTestStore(paidWorkflow());
    const id = store.getState().addNode('image.select', { x: 0, y: 0 }, { linkFrom: { node: 'gen', port: 'images', side: 'source' } });
    const edge = store.getState().workflow.edges.find((e) => e.target.node === id);
    expect(edge).toMatchObject({ source: { node: 'gen', port: 'images' }, target: { node: id, port: 'images' } });
  });

  it('links from an input end when the link was dragged out of an input', () => {
    const { store } = createTestStore(paidWorkflow());
    const id = store.getState().addNode('text.prompt', { x: 0, y: 0 }, { linkFrom: { node: 'gen', port: 'prompt', side: 'target' } });
    expect(store.getState().workflow.edges.some((e) => e.source.node === id && e.target.port === 'prompt')).toBe(true);
  });

  it('removes a node together with every link touching it', () => {
    const { store } = createTestStore(paidWorkflow());
    store.getState().removeElements(['gen']);
    const wf = store.getState().workflow;
    expect(wf.nodes.map((n) => n.id)).toEqual(['a', 'b', 'view']);
    expect(wf.edges).toEqual([]);
  });

  it('keeps untouched node objects when one node moves', () => {
    const { store } = createTestStore(paidWorkflow());
    const before = store.getState().workflow.nodes;
    store.getState().moveNodes(new Map([['a', { x: 99, y: 1 }]]));
    const after = store.getState().workflow.nodes;
    expect(after[0]).not.toBe(before[0]);
    expect(after[0]!.position).toEqual({ x: 99, y: 1 });
    expect(after.slice(1)).toEqual(before.slice(1));
    after.slice(1).forEach((n, i) => expect(n).toBe(before[i + 1]));
  });

  it('does not change the workflow when a param is set to its current value', () => {
    const { store } = createTestStore(paidWorkflow());
    const wf = store.getState().workflow;
    store.getState().setParam('gen', 'maxImages', 3);
    expect(store.getState().workflow).toBe(wf);
  });

  it('sets and clears a node title when renamed', () => {
    const { store } = createTestStore(paidWorkflow());
    store.getState().setTitle('gen', '  Shots ');
    expect(store.getState().workflow.nodes.find((n) => n.id === 'gen')!.title).toBe('Shots');
    store.getState().setTitle('gen', '');
    expect(store.getState().workflow.nodes.find((n) => n.id === 'gen')).not.toHaveProperty('title');
  });

  it('pastes a fragment with fresh ids and its internal links when pasted twice', () => {
    const { store } = createTestStore(paidWorkflow());
    const wf = store.getState().workflow;
    const fragment = { nodes: wf.nodes.filter((n) => n.id === 'a' || n.id === 'gen'), edges: wf.edges };
    const first = store.getState().insertFragment(fragment, { x: 40, y: 40 });
    const second = store.getState().insertFragment(fragment, { x: 80, y: 80 });
    expect(new Set([...first, ...second]).size).toBe(4);
    const after = store.getState().workflow;
    expect(after.nodes).toHaveLength(8);
    // Only a→gen is inside the fragment; b→gen and gen→view point outside and are dropped.
    expect(after.edges).toHaveLength(3 + 2);
    const pasted = after.edges.filter((e) => first.includes(e.target.node));
    expect(pasted).toHaveLength(1);
    expect(first).toContain(pasted[0]!.source.node);
  });

  it('skips pasted nodes of unknown kinds instead of failing', () => {
    const { store } = createTestStore();
    const ids = store
      .getState()
      .insertFragment({ nodes: [{ id: 'x', kind: 'plugin.unknown', kindVersion: 1, params: {}, position: { x: 0, y: 0 } }], edges: [] }, { x: 0, y: 0 });
    expect(ids).toEqual([]);
  });

  it('reports planner warnings per node before running when references + max exceed 15', () => {
    const images = Array.from({ length: 13 }, (_, i) => i);
    let b = graph();
    for (const i of images) b = b.node(`r${i}`, 'image.load', { image: testImage(i) });
    b = b.node('gen', 'seedream.edit-sequential', { prompt: 'Generate 3 images of a dog', maxImages: 3 }).node('view', 'image.preview');
    for (const i of images) b = b.edge(`r${i}.image`, 'gen.images', { order: i });
    const { store } = createTestStore(b.edge('gen.images', 'view.images').build());
    const issues = store.getState().analysis.issuesByNode.get('gen') ?? [];
    expect(issues).toEqual(expect.arrayContaining([expect.objectContaining({ severity: 'warning', code: 'image-budget', field: 'maxImages' })]));
  });

  it('warns when the prompt asks for another number of images than Max images', () => {
    const { store } = createTestStore(paidWorkflow(3));
    store.getState().setParam('gen', 'prompt', 'Generate 5 images of a cat');
    const issues = store.getState().analysis.issuesByNode.get('gen') ?? [];
    expect(issues.map((i) => i.code)).toContain('prompt-count-mismatch');
  });

  it('keeps the issue list object of a node whose issues did not change when another node is edited', () => {
    const { store } = createTestStore(paidWorkflow(3));
    store.getState().setParam('gen', 'prompt', 'Generate 5 images of a cat');
    const before = store.getState().analysis.issuesByNode.get('gen');
    store.getState().addNode('text.prompt', { x: 0, y: 0 });
    expect(store.getState().analysis.issuesByNode.get('gen')).toBe(before);
  });

  it('does not re-plan when only positions change', () => {
    const { store } = createTestStore(paidWorkflow());
    const analysis = store.getState().analysis;
    store.getState().moveNodes(new Map([['gen', { x: 5, y: 5 }]]), true);
    store.getState().endDrag();
    expect(store.getState().analysis).toBe(analysis);
  });

  it('tracks dragging from the first move until endDrag', () => {
    const { store } = createTestStore(paidWorkflow());
    store.getState().moveNodes(new Map([['gen', { x: 5, y: 5 }]]), true);
    expect(store.getState().dragging).toBe(true);
    store.getState().endDrag();
    expect(store.getState().dragging).toBe(false);
  });
});
