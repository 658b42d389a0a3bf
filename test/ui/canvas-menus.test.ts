import { describe, expect, it } from 'vitest';
import { menuFor, type MenuActions, type MenuEntry, type MenuItem } from '../../app/ui/canvas/canvas-menus';
import { registry } from '../../nodes';
import { createTestStore, paidWorkflow } from '../fixtures/studio-store';

const calls: string[] = [];
const actions: MenuActions = {
  search: (o) => calls.push(`search:${o?.splice ?? ''}`),
  fitView: () => calls.push('fit'),
  fitAll: () => calls.push('fit-all'),
  copy: (ids) => calls.push(`copy:${ids.join(',')}`),
  paste: (at) => calls.push(`paste:${at.x},${at.y}`),
  edit: (id) => calls.push(`edit:${id}`),
};
const items = (entries: MenuEntry[]) => entries.filter((e): e is MenuItem => e !== 'separator' && 'run' in e);
const item = (entries: MenuEntry[], id: string) => items(entries).find((e) => e.id === id)!;

function setup() {
  calls.length = 0;
  const t = createTestStore(paidWorkflow());
  const ctx = { store: t.store, registry, actions, at: { x: 100, y: 50 } };
  return { ...t, ctx };
}

describe('menuFor', () => {
  it('offers what ComfyUI offers on a node, with shortcuts shown, when a node is right-clicked', () => {
    const { ctx } = setup();
    const entries = menuFor({ kind: 'node', id: 'gen' }, ctx);
    expect(items(entries).map((e) => e.id)).toEqual(['run-to-here', 'bypass', 'mute', 'rename', 'duplicate', 'copy', 'pin', 'collapse', 'group', 'delete']);
    expect(entries.some((e) => e !== 'separator' && e.id === 'colors')).toBe(true);
    expect(item(entries, 'bypass').hint).toBe('Ctrl+B');
  });

  it('acts on the whole selection when the node is part of it', () => {
    const { store, ctx } = setup();
    store.getState().setSelection(['a', 'b']);
    item(menuFor({ kind: 'node', id: 'a' }, ctx), 'bypass').run();
    expect(
      store
        .getState()
        .workflow.nodes.filter((n) => n.mode === 'bypass')
        .map((n) => n.id),
    ).toEqual(['a', 'b']);
    expect(item(menuFor({ kind: 'node', id: 'a' }, ctx), 'bypass').checked).toBe(true);
    item(menuFor({ kind: 'node', id: 'gen' }, ctx), 'mute').run();
    expect(store.getState().workflow.nodes.find((n) => n.id === 'gen')!.mode).toBe('mute');
  });

  it('disables Delete on a pinned node, saying why', () => {
    const { store, ctx } = setup();
    store.getState().setNodeFlags(['gen'], { pinned: true });
    const entries = menuFor({ kind: 'node', id: 'gen' }, ctx);
    expect(item(entries, 'delete').disabled).toMatch(/unpin/i);
    expect(item(entries, 'pin').label).toBe('Unpin');
  });

  it('starts renaming in place and copies through the clipboard actions', () => {
    const { ctx } = setup();
    item(menuFor({ kind: 'node', id: 'gen' }, ctx), 'rename').run();
    item(menuFor({ kind: 'node', id: 'gen' }, ctx), 'copy').run();
    expect(calls).toEqual(['edit:gen', 'copy:gen']);
  });

  it('reorders a reference from the link menu and from its input menu', () => {
    const { store, ctx } = setup();
    const second = store.getState().workflow.edges.find((e) => e.source.node === 'b')!;
    const link = menuFor({ kind: 'edge', id: second.id }, ctx);
    expect(item(link, 'earlier').label).toBe('Earlier in merge order (now 2 of 2)');
    expect(item(link, 'later').disabled).toBeDefined();
    item(link, 'earlier').run();
    const input = menuFor({ kind: 'input', node: 'gen', port: 'images' }, ctx);
    expect(items(input).map((e) => e.label)).toEqual([
      '1. Load Image — move up',
      '1. Load Image — move down',
      '2. Load Image — move up',
      '2. Load Image — move down',
      'Disconnect all 2 links',
    ]);
    expect(store.getState().workflow.edges.find((e) => e.id === second.id)!.order).toBe(0);
  });

  it('offers to put a node on a link', () => {
    const { store, ctx } = setup();
    const link = store.getState().workflow.edges.find((e) => e.target.node === 'view')!;
    item(menuFor({ kind: 'edge', id: link.id }, ctx), 'insert').run();
    expect(calls).toEqual([`search:${link.id}`]);
  });

  it('adds a note at the click point and starts editing it, from the canvas menu', () => {
    const { store, ctx } = setup();
    const entries = menuFor({ kind: 'pane' }, ctx);
    expect(items(entries).map((e) => e.id)).toEqual(['add-node', 'add-note', 'add-group', 'paste', 'fit', 'fit-all', 'select-all']);
    item(entries, 'add-note').run();
    expect(store.getState().workflow.notes).toMatchObject([{ id: 'note1', position: { x: 100, y: 50 } }]);
    item(entries, 'paste').run();
    item(entries, 'fit-all').run();
    expect(calls).toEqual(['edit:note1', 'paste:100,50', 'fit-all']);
  });
});
