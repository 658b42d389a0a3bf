import type { NodeColor, NodeMode, Workflow, WorkflowGroup, WorkflowNode, WorkflowNote } from '../graph/workflow-schema';
import type { Size } from './ui-slice';
import type { XY } from './graph-ops';

/**
 * Pure edits of what a workflow holds besides the graph: node flags (mode, colour, pin,
 * collapse), notes and groups. Like graph-ops, each returns a new workflow and keeps untouched
 * objects, or the same workflow when nothing changed.
 */

/** The flags a node carries besides its params; `null` clears one. */
export interface NodeFlags {
  mode?: NodeMode | null;
  color?: NodeColor | null;
  pinned?: boolean;
  collapsed?: boolean;
}

/** A size for items not measured yet (a node's centre decides which group it lands in). */
const UNMEASURED: Size = { width: 280, height: 160 };

/** Every id on the canvas: nodes, notes and groups share one id space. */
export function itemIds(wf: Workflow): Set<string> {
  return new Set([...wf.nodes.map((n) => n.id), ...(wf.notes ?? []).map((n) => n.id), ...(wf.groups ?? []).map((g) => g.id)]);
}

function withFlags(node: WorkflowNode, flags: NodeFlags): WorkflowNode {
  let next = node;
  for (const key of ['mode', 'color', 'pinned', 'collapsed'] as const) {
    if (!(key in flags)) continue;
    const value = flags[key];
    // False and null both mean "not set": files keep only the flags that are on.
    const on = value !== null && value !== false && value !== undefined;
    if (on ? next[key] === value : next[key] === undefined) continue;
    const { [key]: _old, ...rest } = next;
    next = on ? ({ ...rest, [key]: value } as WorkflowNode) : (rest as WorkflowNode);
  }
  return next;
}

/** Sets flags on nodes; nodes already so keep their identity. */
export function setNodeFlags(wf: Workflow, ids: Iterable<string>, flags: NodeFlags): Workflow {
  const chosen = new Set(ids);
  let changed = false;
  const nodes = wf.nodes.map((n) => {
    if (!chosen.has(n.id)) return n;
    const next = withFlags(n, flags);
    changed ||= next !== n;
    return next;
  });
  return changed ? { ...wf, nodes } : wf;
}

/**
 * ComfyUI's Ctrl+B / Ctrl+M on a selection: when every chosen node already has `mode`, they go
 * back to normal; otherwise they all get it.
 */
export function toggleMode(wf: Workflow, ids: Iterable<string>, mode: NodeMode): Workflow {
  const chosen = new Set(ids);
  const nodes = wf.nodes.filter((n) => chosen.has(n.id));
  if (nodes.length === 0) return wf;
  const all = nodes.every((n) => n.mode === mode);
  return setNodeFlags(wf, chosen, { mode: all ? null : mode });
}

/** The ids among `ids` that are pinned nodes (kept by deletes that are not explicit). */
export function pinnedAmong(wf: Workflow, ids: Iterable<string>): Set<string> {
  const chosen = new Set(ids);
  return new Set(wf.nodes.filter((n) => n.pinned && chosen.has(n.id)).map((n) => n.id));
}

export function addNote(wf: Workflow, note: WorkflowNote): Workflow {
  return { ...wf, notes: [...(wf.notes ?? []), note] };
}

export function setNoteText(wf: Workflow, id: string, text: string): Workflow {
  return updateNote(wf, id, (n) => (n.text === text ? n : { ...n, text }));
}

function updateNote(wf: Workflow, id: string, update: (note: WorkflowNote) => WorkflowNote): Workflow {
  const notes = wf.notes ?? [];
  const i = notes.findIndex((n) => n.id === id);
  if (i < 0) return wf;
  const next = update(notes[i]!);
  if (next === notes[i]) return wf;
  const copy = notes.slice();
  copy[i] = next;
  return { ...wf, notes: copy };
}

function updateGroup(wf: Workflow, id: string, update: (group: WorkflowGroup) => WorkflowGroup): Workflow {
  const groups = wf.groups ?? [];
  const i = groups.findIndex((g) => g.id === id);
  if (i < 0) return wf;
  const next = update(groups[i]!);
  if (next === groups[i]) return wf;
  const copy = groups.slice();
  copy[i] = next;
  return { ...wf, groups: copy };
}

export function setGroupTitle(wf: Workflow, id: string, title: string): Workflow {
  const clean = title.trim().slice(0, 200);
  return updateGroup(wf, id, (g) => (g.title === clean ? g : { ...g, title: clean }));
}

/** Colours a note or a group (`null`: back to the default). */
export function setItemColor(wf: Workflow, id: string, color: NodeColor | null): Workflow {
  const paint = <T extends { color?: NodeColor }>(item: T): T => {
    if ((item.color ?? null) === color) return item;
    const { color: _old, ...rest } = item;
    return (color ? { ...rest, color } : rest) as T;
  };
  return updateGroup(updateNote(wf, id, paint), id, paint);
}

/** Resizes a note or a group (rounded to whole units). */
export function resizeItem(wf: Workflow, id: string, size: Size): Workflow {
  const s = { width: Math.round(size.width), height: Math.round(size.height) };
  const fit = <T extends { size: Size }>(item: T): T => (item.size.width === s.width && item.size.height === s.height ? item : { ...item, size: s });
  return updateGroup(updateNote(wf, id, fit), id, fit);
}

/** Moves nodes, notes and groups; items whose position does not change keep their identity. */
export function moveItems(wf: Workflow, positions: ReadonlyMap<string, XY>): Workflow {
  let changed = false;
  const move = <T extends { id: string; position: XY }>(item: T): T => {
    const p = positions.get(item.id);
    if (!p || (p.x === item.position.x && p.y === item.position.y)) return item;
    changed = true;
    return { ...item, position: { x: p.x, y: p.y } };
  };
  const nodes = wf.nodes.map(move);
  const notes = wf.notes?.map(move);
  const groups = wf.groups?.map(move);
  if (!changed) return wf;
  return { ...wf, nodes, ...(notes ? { notes } : {}), ...(groups ? { groups } : {}) };
}

/** Where each member of a group goes when the group moves to `to` (members keep their offsets). */
export function membersMoved(wf: Workflow, groupId: string, to: XY): Map<string, XY> {
  const group = wf.groups?.find((g) => g.id === groupId);
  const out = new Map<string, XY>();
  if (!group) return out;
  const dx = to.x - group.position.x;
  const dy = to.y - group.position.y;
  const at = new Map<string, XY>([...wf.nodes, ...(wf.notes ?? [])].map((i) => [i.id, i.position]));
  for (const id of group.members) {
    const p = at.get(id);
    if (p) out.set(id, { x: p.x + dx, y: p.y + dy });
  }
  return out;
}

const inside = (p: XY, g: WorkflowGroup) =>
  p.x >= g.position.x && p.x <= g.position.x + g.size.width && p.y >= g.position.y && p.y <= g.position.y + g.size.height;

/**
 * Group membership after items moved or a group was resized: each of `ids` (nodes and notes, not
 * groups) belongs to the smallest group its centre lies in, or to none. Groups whose members do
 * not change keep their identity.
 */
export function regroup(wf: Workflow, ids: Iterable<string>, sizeOf: (id: string) => Size | undefined): Workflow {
  const groups = wf.groups ?? [];
  if (groups.length === 0) return wf;
  const items = new Map<string, { position: XY; size: Size }>();
  for (const n of wf.nodes) items.set(n.id, { position: n.position, size: sizeOf(n.id) ?? UNMEASURED });
  for (const n of wf.notes ?? []) items.set(n.id, { position: n.position, size: n.size });
  const home = new Map<string, string | undefined>();
  for (const id of ids) {
    const item = items.get(id);
    if (!item) continue;
    const centre = { x: item.position.x + item.size.width / 2, y: item.position.y + item.size.height / 2 };
    const holders = groups.filter((g) => inside(centre, g)).sort((a, b) => a.size.width * a.size.height - b.size.width * b.size.height);
    home.set(id, holders[0]?.id);
  }
  if (home.size === 0) return wf;
  let changed = false;
  const next = groups.map((g) => {
    const kept = g.members.filter((m) => !home.has(m) || home.get(m) === g.id);
    const joined = [...home].filter(([id, to]) => to === g.id && !g.members.includes(id)).map(([id]) => id);
    if (kept.length === g.members.length && joined.length === 0) return g;
    changed = true;
    return { ...g, members: [...kept, ...joined] };
  });
  return changed ? { ...wf, groups: next } : wf;
}

export function addGroup(wf: Workflow, group: WorkflowGroup): Workflow {
  const claimed = new Set(group.members);
  // An item is in one group at most: joining this one takes it out of its old one.
  const groups = (wf.groups ?? []).map((g) => (g.members.some((m) => claimed.has(m)) ? { ...g, members: g.members.filter((m) => !claimed.has(m)) } : g));
  return { ...wf, groups: [...groups, group] };
}

/** The frame around items (nodes with their drawn sizes, notes), with room for a title bar. */
export function frameAround(wf: Workflow, ids: ReadonlySet<string>, sizeOf: (id: string) => Size | undefined): { position: XY; size: Size } | undefined {
  const boxes = [
    ...wf.nodes.filter((n) => ids.has(n.id)).map((n) => ({ position: n.position, size: sizeOf(n.id) ?? UNMEASURED })),
    ...(wf.notes ?? []).filter((n) => ids.has(n.id)),
  ];
  if (boxes.length === 0) return undefined;
  const PAD = 24;
  const TITLE = 36;
  const x0 = Math.min(...boxes.map((b) => b.position.x)) - PAD;
  const y0 = Math.min(...boxes.map((b) => b.position.y)) - PAD - TITLE;
  const x1 = Math.max(...boxes.map((b) => b.position.x + b.size.width)) + PAD;
  const y1 = Math.max(...boxes.map((b) => b.position.y + b.size.height)) + PAD;
  return { position: { x: Math.round(x0), y: Math.round(y0) }, size: { width: Math.round(x1 - x0), height: Math.round(y1 - y0) } };
}

/** Removes notes and groups by id (a group's members stay on the canvas), and drops removed items from groups. */
export function removeItems(wf: Workflow, ids: ReadonlySet<string>): Workflow {
  const notes = wf.notes?.filter((n) => !ids.has(n.id));
  const kept = wf.groups?.filter((g) => !ids.has(g.id));
  const groups = kept?.map((g) => (g.members.some((m) => ids.has(m)) ? { ...g, members: g.members.filter((m) => !ids.has(m)) } : g));
  const sameNotes = !wf.notes || notes!.length === wf.notes.length;
  const sameGroups = !wf.groups || (kept!.length === wf.groups.length && groups!.every((g, i) => g === wf.groups![i]));
  if (sameNotes && sameGroups) return wf;
  return { ...wf, ...(notes ? { notes } : {}), ...(groups ? { groups } : {}) };
}
