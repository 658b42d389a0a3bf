import { NODE_COLORS, type NodeColor } from '../../graph/workflow-schema';
import type { NodeRegistry } from '../../graph/registry';
import type { StudioStore } from '../../store/create-store';
import { linksInto } from '../../store/graph-links';
import type { XY } from '../../store/graph-ops';
import type { MenuTarget } from './canvas-ui';

/** One entry of a context menu. */
export interface MenuItem {
  /** Stable, for tests (`menu-<id>`) and keys. */
  id: string;
  label: string;
  /** The keyboard shortcut doing the same, shown on the right. */
  hint?: string;
  /** Why it cannot be used now (shown as its title); the item is disabled. */
  disabled?: string;
  /** A toggle that is on (bypassed, muted, pinned…). */
  checked?: boolean;
  run(): void;
}

/** A row of colour swatches. */
export interface MenuColors {
  id: 'colors';
  current: NodeColor | undefined;
  pick(color: NodeColor | null): void;
}

export type MenuEntry = MenuItem | MenuColors | 'separator';

/** What the menus do outside the store: the view, the clipboard and in-place editing. */
export interface MenuActions {
  /** Opens the node search where the menu was opened (adds the chosen node there; `splice`: on that link). */
  search(options?: { splice?: string }): void;
  fitView(): void;
  /** The whole graph in view, however small. */
  fitAll(): void;
  copy(ids: readonly string[]): void;
  paste(at: XY): void;
  /** Starts editing a title (node, group) or a note's text in place. */
  edit(id: string): void;
}

export interface MenuContext {
  store: StudioStore;
  registry: NodeRegistry;
  actions: MenuActions;
  /** The flow point under the menu (new items go there). */
  at: XY;
}

const plural = (n: number, one: string) => (n === 1 ? one : `${n} nodes`);

/** The entries of the menu for `target`. */
export function menuFor(target: MenuTarget, ctx: MenuContext): MenuEntry[] {
  switch (target.kind) {
    case 'node':
      return nodeMenu(target.id, ctx);
    case 'edge':
      return edgeMenu(target.id, ctx);
    case 'input':
      return inputMenu(target.node, target.port, ctx);
    case 'note':
      return itemMenu(target.id, 'note', ctx);
    case 'group':
      return itemMenu(target.id, 'group', ctx);
    case 'pane':
      return paneMenu(ctx);
  }
}

/** A node's menu acts on the selection when the node is part of it (as in ComfyUI), else on the node alone. */
function nodeMenu(id: string, { store, actions }: MenuContext): MenuEntry[] {
  const s = store.getState();
  const ids = s.selectedNodes.has(id) ? s.workflow.nodes.filter((n) => s.selectedNodes.has(n.id)).map((n) => n.id) : [id];
  const nodes = s.workflow.nodes.filter((n) => ids.includes(n.id));
  const node = nodes.find((n) => n.id === id);
  if (!node) return [];
  const all = (test: (n: (typeof nodes)[number]) => boolean) => nodes.every(test);
  const who = plural(ids.length, 'this node');
  const pinned = nodes.filter((n) => n.pinned).length;
  return [
    { id: 'run-to-here', label: 'Run to here', run: () => void store.getState().requestRun([id]) },
    'separator',
    { id: 'bypass', label: 'Bypass', hint: 'Ctrl+B', checked: all((n) => n.mode === 'bypass'), run: () => store.getState().toggleMode(ids, 'bypass') },
    { id: 'mute', label: 'Mute', hint: 'Ctrl+M', checked: all((n) => n.mode === 'mute'), run: () => store.getState().toggleMode(ids, 'mute') },
    { id: 'rename', label: 'Rename…', hint: 'double-click the title', run: () => actions.edit(id) },
    {
      id: 'colors',
      current: node.color,
      pick: (color) => store.getState().setNodeFlags(ids, { color }),
    },
    'separator',
    { id: 'duplicate', label: ids.length > 1 ? `Duplicate ${who}` : 'Duplicate', hint: 'Ctrl+D', run: () => duplicate(store, ids) },
    { id: 'copy', label: 'Copy', hint: 'Ctrl+C', run: () => actions.copy(ids) },
    {
      id: 'pin',
      label: all((n) => n.pinned === true) ? 'Unpin' : 'Pin',
      checked: all((n) => n.pinned === true),
      run: () => store.getState().setNodeFlags(ids, { pinned: !all((n) => n.pinned === true) }),
    },
    {
      id: 'collapse',
      label: all((n) => n.collapsed === true) ? 'Expand' : 'Collapse',
      run: () => store.getState().setNodeFlags(ids, { collapsed: !all((n) => n.collapsed === true) }),
    },
    { id: 'group', label: ids.length > 1 ? `Group ${who}` : 'Put in a new group', run: () => groupItems(store, ids) },
    'separator',
    {
      id: 'delete',
      label: ids.length > 1 ? `Delete ${who}` : 'Delete',
      hint: 'Del',
      ...(pinned === ids.length ? { disabled: 'Pinned: unpin it to delete it.' } : {}),
      run: () => {
        const kept = store.getState().removeElements(ids);
        store.getState().setSelection(kept);
        if (kept.length) store.getState().notify(`${plural(kept.length, 'A pinned node')} kept: unpin to delete.`);
      },
    },
  ];
}

function duplicate(store: StudioStore, ids: readonly string[]): void {
  const s = store.getState();
  const chosen = new Set(ids);
  const fragment = {
    nodes: s.workflow.nodes.filter((n) => chosen.has(n.id)),
    edges: s.workflow.edges.filter((e) => chosen.has(e.source.node) && chosen.has(e.target.node)),
  };
  s.setSelection(s.insertFragment(fragment, { x: 40, y: 40 }));
}

function groupItems(store: StudioStore, ids: readonly string[]): void {
  const id = store.getState().addGroup({ members: ids });
  store.getState().setSelection([id]);
}

function edgeMenu(id: string, { store, registry, actions }: MenuContext): MenuEntry[] {
  const s = store.getState();
  const edge = s.workflow.edges.find((e) => e.id === id);
  if (!edge) return [];
  const target = s.workflow.nodes.find((n) => n.id === edge.target.node);
  const multiple = target ? registry.get(target.kind)?.inputs.find((p) => p.name === edge.target.port)?.multiple === true : false;
  const siblings = multiple ? linksInto(s.workflow, edge.target.node, edge.target.port) : [];
  const place = siblings.findIndex((e) => e.id === id);
  const entries: MenuEntry[] = [
    { id: 'insert', label: 'Insert a node here…', run: () => actions.search({ splice: id }) },
    { id: 'delete-link', label: 'Delete link', hint: 'Del', run: () => store.getState().removeElements([], [id]) },
  ];
  if (siblings.length > 1) {
    entries.push(
      'separator',
      {
        id: 'earlier',
        label: `Earlier in merge order (now ${place + 1} of ${siblings.length})`,
        ...(place === 0 ? { disabled: 'Already first.' } : {}),
        run: () => store.getState().moveInMergeOrder(id, -1),
      },
      {
        id: 'later',
        label: 'Later in merge order',
        ...(place === siblings.length - 1 ? { disabled: 'Already last.' } : {}),
        run: () => store.getState().moveInMergeOrder(id, 1),
      },
    );
  }
  return entries;
}

/** An input's menu: its links in merge order, each movable up or down, and disconnect. */
function inputMenu(nodeId: string, port: string, { store, registry }: MenuContext): MenuEntry[] {
  const s = store.getState();
  const links = linksInto(s.workflow, nodeId, port);
  const nameOf = (id: string) => {
    const n = s.workflow.nodes.find((x) => x.id === id);
    return n ? (n.title ?? registry.get(n.kind)?.title ?? id) : id;
  };
  const entries: MenuEntry[] = [];
  links.forEach((link, i) => {
    const name = `${i + 1}. ${nameOf(link.source.node)}`;
    if (links.length > 1) {
      entries.push(
        {
          id: `up-${link.id}`,
          label: `${name} — move up`,
          ...(i === 0 ? { disabled: 'Already first.' } : {}),
          run: () => store.getState().moveInMergeOrder(link.id, -1),
        },
        {
          id: `down-${link.id}`,
          label: `${name} — move down`,
          ...(i === links.length - 1 ? { disabled: 'Already last.' } : {}),
          run: () => store.getState().moveInMergeOrder(link.id, 1),
        },
      );
    }
  });
  if (links.length) {
    if (entries.length) entries.push('separator');
    entries.push({
      id: 'disconnect',
      label: links.length > 1 ? `Disconnect all ${links.length} links` : 'Disconnect',
      run: () =>
        store.getState().removeElements(
          [],
          links.map((l) => l.id),
        ),
    });
  }
  return entries.length ? entries : [{ id: 'nothing', label: 'Nothing is linked here', disabled: 'Drag a link onto this input.', run: () => undefined }];
}

function itemMenu(id: string, kind: 'note' | 'group', { store, actions }: MenuContext): MenuEntry[] {
  const s = store.getState();
  const item = kind === 'note' ? s.workflow.notes?.find((n) => n.id === id) : s.workflow.groups?.find((g) => g.id === id);
  if (!item) return [];
  const entries: MenuEntry[] = [
    { id: 'edit', label: kind === 'note' ? 'Edit text' : 'Rename…', run: () => actions.edit(id) },
    { id: 'colors', current: item.color, pick: (color) => store.getState().setItemColor(id, color) },
  ];
  if (kind === 'group' && 'members' in item) {
    entries.push({
      id: 'select-members',
      label: `Select its ${item.members.length} item${item.members.length === 1 ? '' : 's'}`,
      ...(item.members.length === 0 ? { disabled: 'Drop nodes into the group first.' } : {}),
      run: () => store.getState().setSelection(item.members),
    });
  }
  entries.push('separator', {
    id: 'delete',
    label: kind === 'note' ? 'Delete note' : 'Delete group (keep its nodes)',
    run: () => store.getState().removeElements([id]),
  });
  return entries;
}

function paneMenu({ store, actions, at }: MenuContext): MenuEntry[] {
  const s = store.getState();
  return [
    { id: 'add-node', label: 'Add node here…', hint: 'double-click', run: () => actions.search() },
    {
      id: 'add-note',
      label: 'Add note here',
      run: () => {
        const id = store.getState().addNote(at);
        store.getState().setSelection([id]);
        actions.edit(id);
      },
    },
    {
      id: 'add-group',
      label: s.selectedNodes.size ? 'Group the selected nodes' : 'Add group here',
      run: () =>
        s.selectedNodes.size ? groupItems(store, [...s.selectedNodes]) : store.getState().setSelection([store.getState().addGroup({ position: at })]),
    },
    'separator',
    { id: 'paste', label: 'Paste here', hint: 'Ctrl+V', run: () => actions.paste(at) },
    { id: 'fit', label: 'Fit view', hint: '.', ...(s.workflow.nodes.length ? {} : { disabled: 'The canvas is empty.' }), run: () => actions.fitView() },
    {
      id: 'fit-all',
      label: 'Show the whole graph',
      hint: 'Shift+.',
      ...(s.workflow.nodes.length ? {} : { disabled: 'The canvas is empty.' }),
      run: () => actions.fitAll(),
    },
    {
      id: 'select-all',
      label: 'Select all',
      hint: 'Ctrl+A',
      ...(s.workflow.nodes.length ? {} : { disabled: 'The canvas is empty.' }),
      run: () => store.getState().setSelection(s.workflow.nodes.map((n) => n.id)),
    },
  ];
}

/** The palette's colours, in menu order (null: the default). */
export const COLOR_CHOICES: readonly (NodeColor | null)[] = [null, ...NODE_COLORS];
