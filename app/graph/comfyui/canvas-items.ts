import { MAX_NOTE_CHARS, type NodeColor, type WorkflowGroup, type WorkflowNote } from '../workflow-schema';
import type { ComfyGroup, ComfyNode } from './comfy-graph';
import { comfyName, count, shown } from './report';

/**
 * ComfyUI's canvas items that are not nodes here: its notes (the frontend's Note and
 * MarkdownNote, which never run) become this editor's notes, its groups this editor's groups.
 */

/** ComfyUI's note types; both keep their text as their one widget value. */
const NOTE_TYPES: ReadonlySet<string> = new Set(['Note', 'MarkdownNote']);
export const isComfyNote = (node: ComfyNode): boolean => NOTE_TYPES.has(node.type);

/** Titles the frontend gives notes by default (not worth a heading). */
const DEFAULT_NOTE_TITLES: ReadonlySet<string> = new Set(['Note', 'Markdown Note', 'MarkdownNote']);

/** The most notes and groups a workflow holds (workflow-schema.ts). */
export const MAX_CANVAS_ITEMS = 1_000;
/** The most items a group holds (workflow-schema.ts); past it, items stay on the canvas outside any group. */
const MAX_MEMBERS = 5_000;

/** zSize's limits (workflow-schema.ts). */
const SIZE = { minWidth: 40, minHeight: 24, max: 20_000 };
/** LiteGraph's default note size, for files that saved none. */
const NOTE_SIZE = { width: 400, height: 200 };
/** A node's size for the group test when the file saved none (as the editor's regroup assumes). */
const NODE_SIZE = { width: 280, height: 160 };

/**
 * LiteGraph's colour menu (LGraphCanvas.node_colors: color, bgcolor, groupcolor), whose names are
 * this editor's palette: a colour chosen there maps back by name.
 */
const PALETTE: readonly [NodeColor, string, string, string][] = [
  ['red', '#322', '#533', '#a88'],
  ['brown', '#332922', '#593930', '#b06634'],
  ['green', '#232', '#353', '#8a8'],
  ['blue', '#223', '#335', '#88a'],
  ['pale-blue', '#2a363b', '#3f5159', '#3f789e'],
  ['cyan', '#233', '#355', '#8aa'],
  ['purple', '#323', '#535', '#a1309b'],
  ['yellow', '#432', '#653', '#b58b2a'],
  ['black', '#222', '#000', '#444'],
];

/** Our colour for a node's colours (body first) or a group's, or undefined when ComfyUI's is not from its menu. */
export function paletteColor(item: { color?: string; bgcolor?: string }, of: 'node' | 'group'): NodeColor | undefined {
  const at = (c: string | undefined, i: 1 | 2 | 3) => (c === undefined ? undefined : PALETTE.find((p) => p[i] === c.trim().toLowerCase())?.[0]);
  return of === 'group' ? at(item.color, 3) : (at(item.bgcolor, 2) ?? at(item.color, 1));
}

const clampSize = (s: { width: number; height: number }) => ({
  width: Math.round(Math.min(SIZE.max, Math.max(SIZE.minWidth, s.width))),
  height: Math.round(Math.min(SIZE.max, Math.max(SIZE.minHeight, s.height))),
});

/**
 * A ComfyUI note as a note here: its text (markdown; a custom title becomes its heading), its
 * place and size, and its colour when it is one of the palette's. `position` is NaN when the
 * file saved none (the layout places it).
 */
export function comfyNote(node: ComfyNode, id: string, report: string[]): WorkflowNote {
  const raw = node.widgets?.get('text') ?? (Array.isArray(node.rawWidgets) ? node.rawWidgets[0] : undefined);
  const body = typeof raw === 'string' ? raw : '';
  const title = node.title?.replace(/\s+/g, ' ').trim().slice(0, 200);
  const heading = title && !DEFAULT_NOTE_TITLES.has(title) ? `### ${title}\n\n` : '';
  let text = heading + body;
  if (text.length > MAX_NOTE_CHARS) {
    report.push(`The text of the note ${comfyName(node)} was cut to ${MAX_NOTE_CHARS} of its ${text.length} characters.`);
    text = text.slice(0, MAX_NOTE_CHARS);
  }
  const color = paletteColor(node, 'node');
  return {
    id,
    position: node.pos ?? { x: Number.NaN, y: Number.NaN },
    size: clampSize(node.size ?? NOTE_SIZE),
    text,
    ...(color ? { color } : {}),
  };
}

/** A canvas item the groups may hold: where it is and how big it is drawn. */
export interface Placed {
  id: string;
  position: { x: number; y: number };
  size?: { width: number; height: number } | undefined;
}

/**
 * ComfyUI's groups as groups here. Each holds the nodes and notes whose centre lies in its frame
 * (ComfyUI's own test), an item in several belonging to the smallest, as the editor regroups.
 * Groups without a readable frame are named in the report and left out.
 */
export function comfyGroups(groups: readonly ComfyGroup[], items: readonly Placed[], makeId: (comfyId: string) => string, report: string[]): WorkflowGroup[] {
  const framed = groups.flatMap((g, i) => (g.bounding ? [{ g, box: g.bounding, id: makeId(g.id ?? String(i + 1)) }] : []));
  const unframed = groups.filter((g) => !g.bounding);
  if (unframed.length) {
    const names = unframed.map((g) => shown(g.title)).join(', ');
    report.push(`${count(unframed.length, 'group')} without a frame (${names}) ${unframed.length === 1 ? 'was' : 'were'} left out.`);
  }
  const kept = framed.slice(0, MAX_CANVAS_ITEMS);
  if (framed.length > kept.length) report.push(`Only the first ${MAX_CANVAS_ITEMS} groups were imported; ${framed.length - kept.length} more were left out.`);
  const members = new Map<string, string[]>(kept.map((k) => [k.id, []]));
  const bySize = [...kept].sort((a, b) => a.box.width * a.box.height - b.box.width * b.box.height);
  for (const item of items) {
    const size = item.size ?? NODE_SIZE;
    const cx = item.position.x + size.width / 2;
    const cy = item.position.y + size.height / 2;
    const home = bySize.find(({ box }) => cx >= box.x && cx <= box.x + box.width && cy >= box.y && cy <= box.y + box.height);
    const list = home && members.get(home.id)!;
    if (list && list.length < MAX_MEMBERS) list.push(item.id);
  }
  const out = kept.map(({ g, box, id }): WorkflowGroup => {
    const color = paletteColor(g, 'group');
    return {
      id,
      title: g.title.slice(0, 200),
      position: { x: box.x, y: box.y },
      size: clampSize(box),
      ...(color ? { color } : {}),
      members: members.get(id)!,
    };
  });
  if (out.length)
    report.push(
      `${out.length === 1 ? 'The group' : 'The groups'} ${out.map((g) => shown(g.title)).join(', ')} became ${out.length === 1 ? 'a group' : 'groups'} here.`,
    );
  return out;
}
