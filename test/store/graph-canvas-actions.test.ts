import { describe, expect, it } from 'vitest';
import { membersMoved } from '../../app/store/graph-items';
import { mergePositions } from '../../app/store/graph-links';
import { createTestStore, paidWorkflow } from '../fixtures/studio-store';

type Store = ReturnType<typeof createTestStore>['store'];
const node = (s: Store, id: string) => s.getState().workflow.nodes.find((n) => n.id === id)!;
const steps = (s: Store) => s.temporal.getState().pastStates.length;
const groupOf = (s: Store, id: string) => s.getState().workflow.groups?.find((g) => g.members.includes(id))?.id;
const intoGen = (s: Store) =>
  s
    .getState()
    .workflow.edges.filter((e) => e.target.node === 'gen' && e.target.port === 'images')
    .sort((a, b) => (a.order ?? 0) - (b.order ?? 0))
    .map((e) => e.source.node);

describe('canvas actions: bypass and mute', () => {
  it('bypasses the chosen nodes, then takes the bypass away, one undo step each, when toggled twice', () => {
    const { store } = createTestStore(paidWorkflow());
    store.getState().toggleMode(['gen', 'a'], 'bypass');
    expect([node(store, 'gen').mode, node(store, 'a').mode]).toEqual(['bypass', 'bypass']);
    store.getState().toggleMode(['gen', 'a'], 'bypass');
    expect('mode' in node(store, 'gen')).toBe(false);
    expect(steps(store)).toBe(2);
    store.undo();
    expect(node(store, 'gen').mode).toBe('bypass');
  });

  it('mutes every chosen node when only some of them are muted', () => {
    const { store } = createTestStore(paidWorkflow());
    store.getState().toggleMode(['gen'], 'mute');
    store.getState().toggleMode(['gen', 'view'], 'mute');
    expect([node(store, 'gen').mode, node(store, 'view').mode]).toEqual(['mute', 'mute']);
  });

  it('re-plans when a node is bypassed: its warnings become free and the cache key downstream changes', () => {
    const { store } = createTestStore(paidWorkflow());
    store.flushAnalysis();
    const before = store.getState().analysis.cacheKeys.get('view');
    store.getState().toggleMode(['gen'], 'bypass');
    store.flushAnalysis();
    expect(store.getState().analysis.cacheKeys.get('view')).not.toBe(before);
  });
});

describe('canvas actions: flags', () => {
  it('sets and clears colour, pin and collapse, keeping untouched nodes, when flagged', () => {
    const { store } = createTestStore(paidWorkflow());
    const a = node(store, 'a');
    store.getState().setNodeFlags(['gen'], { color: 'red', pinned: true, collapsed: true });
    expect(node(store, 'gen')).toMatchObject({ color: 'red', pinned: true, collapsed: true });
    expect(node(store, 'a')).toBe(a);
    store.getState().setNodeFlags(['gen'], { color: null, pinned: false, collapsed: false });
    expect(Object.keys(node(store, 'gen')).sort()).toEqual(['id', 'kind', 'kindVersion', 'params', 'position']);
    store.undo();
    expect(node(store, 'gen').pinned).toBe(true);
  });

  it('keeps a pinned node (and says so) when deleted with others, and deletes it when asked explicitly', () => {
    const { store } = createTestStore(paidWorkflow());
    store.getState().setNodeFlags(['gen'], { pinned: true });
    expect(store.getState().removeElements(['gen', 'view'])).toEqual(['gen']);
    expect(store.getState().workflow.nodes.map((n) => n.id)).toEqual(['a', 'b', 'gen']);
    expect(store.getState().removeElements(['gen'], [], { unpinned: true })).toEqual([]);
    expect(store.getState().workflow.nodes.map((n) => n.id)).toEqual(['a', 'b']);
  });

  it('renames a node as one undo step when typed in a burst, and goes back to the kind title when emptied', () => {
    const { store } = createTestStore(paidWorkflow());
    store.getState().setTitle('gen', 'Hero');
    store.getState().setTitle('gen', 'Hero shot');
    expect(node(store, 'gen').title).toBe('Hero shot');
    store.undo();
    expect(node(store, 'gen').title).toBeUndefined();
    store.redo();
    store.getState().closeHistoryGroup();
    store.getState().setTitle('gen', '  ');
    expect('title' in node(store, 'gen')).toBe(false);
  });
});

describe('canvas actions: notes', () => {
  it('adds a note, types into it as one undo step and removes it, when edited', () => {
    const t = createTestStore(paidWorkflow());
    const id = t.store.getState().addNote({ x: 10.4, y: 20 }, '');
    expect(t.store.getState().workflow.notes).toEqual([{ id: 'note1', position: { x: 10, y: 20 }, size: { width: 260, height: 140 }, text: '' }]);
    for (const text of ['#', '# H', '# Hi']) t.store.getState().setNoteText(id, text);
    expect(steps(t.store)).toBe(2);
    t.store.getState().removeElements([id]);
    expect(t.store.getState().workflow.notes).toEqual([]);
    t.store.undo();
    t.store.undo();
    expect(t.store.getState().workflow.notes![0]!.text).toBe('');
  });

  it('never gives a note the id of a node', () => {
    const { store } = createTestStore(paidWorkflow());
    const note = store.getState().addNote({ x: 0, y: 0 });
    const added = store.getState().addNode('text.prompt', { x: 0, y: 0 });
    expect(new Set([note, added, ...store.getState().workflow.nodes.map((n) => n.id)]).size).toBe(store.getState().workflow.nodes.length + 1);
  });
});

describe('canvas actions: groups', () => {
  it('frames the chosen nodes in a new group that owns them, when grouped', () => {
    const { store } = createTestStore(paidWorkflow());
    const id = store.getState().addGroup({ members: ['a', 'b'], title: 'References' });
    const group = store.getState().workflow.groups![0]!;
    expect(group).toMatchObject({ id, title: 'References', members: ['a', 'b'] });
    const a = node(store, 'a').position;
    expect(group.position.x).toBeLessThan(a.x);
    expect(group.position.y).toBeLessThan(a.y);
  });

  it('moves the members with the group as one undo step when the group is dragged', () => {
    const { store } = createTestStore(paidWorkflow());
    const id = store.getState().addGroup({ members: ['a', 'b'] });
    const wf = store.getState().workflow;
    const g = wf.groups![0]!;
    const to = { x: g.position.x + 100, y: g.position.y + 50 };
    const a0 = node(store, 'a').position;
    store.getState().moveNodes(new Map([[id, to], ...membersMoved(wf, id, to)]), true, { regroup: true });
    store.getState().endDrag();
    expect(node(store, 'a').position).toEqual({ x: a0.x + 100, y: a0.y + 50 });
    expect(groupOf(store, 'a')).toBe(id);
    store.undo();
    expect(node(store, 'a').position).toEqual(a0);
  });

  it('takes a node dropped inside its frame in, and lets one dragged out go, when nodes are moved', () => {
    const { store } = createTestStore(paidWorkflow());
    const id = store.getState().addGroup({ position: { x: 2000, y: 2000 } });
    store.getState().moveNodes(new Map([['view', { x: 2100, y: 2100 }]]), false, { regroup: true });
    expect(groupOf(store, 'view')).toBe(id);
    store.getState().moveNodes(new Map([['view', { x: 0, y: 0 }]]), false, { regroup: true });
    expect(groupOf(store, 'view')).toBeUndefined();
    // Moves that are not drops (auto-layout) keep what belongs where.
    store.getState().moveNodes(new Map([['gen', { x: 2100, y: 2100 }]]));
    expect(groupOf(store, 'gen')).toBeUndefined();
  });

  it('takes in what its frame covers when a group is resized', () => {
    const { store } = createTestStore(paidWorkflow());
    const id = store.getState().addGroup({ position: { x: -5000, y: -5000 } });
    const start = steps(store);
    store.getState().resizeItem(id, { width: 9000, height: 9000 }, true);
    store.getState().resizeItem(id, { width: 10000, height: 10000 }, false);
    expect(store.getState().workflow.groups![0]!.members.sort()).toEqual(['a', 'b', 'gen', 'view']);
    expect(steps(store) - start).toBe(1);
  });

  it('keeps the members on the canvas when a group is deleted', () => {
    const { store } = createTestStore(paidWorkflow());
    const id = store.getState().addGroup({ members: ['a'] });
    store.getState().removeElements([id]);
    expect(store.getState().workflow.groups).toEqual([]);
    expect(store.getState().workflow.nodes).toHaveLength(4);
  });
});

describe('canvas actions: links', () => {
  it('moves a reference earlier in the merge order, renumbering the links, when reordered', () => {
    const { store } = createTestStore(paidWorkflow());
    expect(intoGen(store)).toEqual(['a', 'b']);
    const eb = store.getState().workflow.edges.find((e) => e.source.node === 'b')!.id;
    store.getState().moveInMergeOrder(eb, -1);
    expect(intoGen(store)).toEqual(['b', 'a']);
    store.undo();
    expect(intoGen(store)).toEqual(['a', 'b']);
  });

  it('numbers only the links of multiple inputs that have two or more', () => {
    const { store } = createTestStore(paidWorkflow());
    const wf = store.getState().workflow;
    const positions = mergePositions(wf.edges, (n, p) => n === 'gen' && p === 'images');
    expect([...positions.values()].sort()).toEqual([1, 2]);
  });

  it('moves a link to another input, refuses a wrong type and removes a link dropped on nothing, when reconnected', () => {
    const { store } = createTestStore(paidWorkflow());
    const view = store.getState().workflow.edges.find((e) => e.target.node === 'view')!;
    const other = store.getState().addNode('image.preview', { x: 0, y: 0 });
    expect(store.getState().reconnect(view.id, { source: view.source, target: { node: other, port: 'images' } }).ok).toBe(true);
    expect(store.getState().workflow.edges.find((e) => e.id === view.id)!.target.node).toBe(other);
    const gen2 = store.getState().addNode('seedream.edit-sequential', { x: 0, y: 0 });
    const refused = store.getState().reconnect(view.id, { source: view.source, target: { node: gen2, port: 'prompt' } });
    expect(refused).toMatchObject({ ok: false, reason: 'type-mismatch' });
    store.getState().reconnect(view.id, null);
    expect(store.getState().workflow.edges.some((e) => e.id === view.id)).toBe(false);
  });

  it('puts a frame picker on the link between Seedream and the preview when spliced', () => {
    const { store } = createTestStore(paidWorkflow());
    const link = store.getState().workflow.edges.find((e) => e.target.node === 'view')!;
    const id = store.getState().spliceNode(link.id, 'image.select', { x: 500, y: 0 })!;
    const edges = store.getState().workflow.edges;
    expect(edges.find((e) => e.target.node === id)!.source.node).toBe('gen');
    expect(edges.find((e) => e.target.node === 'view')!.source.node).toBe(id);
    expect(store.getState().spliceNode(edges.find((e) => e.target.node === id)!.id, 'text.prompt', { x: 0, y: 0 })).toBeUndefined();
  });
});
