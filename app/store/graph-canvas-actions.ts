import { validateConnection, type ConnectionCheck } from '../graph/connections';
import { canConnectTypes } from '../graph/ports';
import type { NodeColor, NodeMode, PortRef, Workflow } from '../graph/workflow-schema';
import * as ops from './graph-ops';
import * as items from './graph-items';
import { moveInMergeOrder } from './graph-links';
import type { GetState, SliceContext } from './store-types';
import type { Size } from './ui-slice';

/** A new note's size, and a new empty group's. */
const NOTE_SIZE: Size = { width: 260, height: 140 };
const GROUP_SIZE: Size = { width: 480, height: 320 };

/**
 * Canvas edits beyond nodes and links: node flags (bypass, mute, colour, pin, collapse), notes,
 * groups, merge order and moving a link's end. Part of the graph slice; every edit is one undo
 * step unless said otherwise.
 */
export interface CanvasActions {
  /** Sets flags on nodes (`null` clears one). */
  setNodeFlags(ids: Iterable<string>, flags: items.NodeFlags): void;
  /** Ctrl+B / Ctrl+M: gives the nodes `mode`, or takes it away when all of them have it. */
  toggleMode(ids: Iterable<string>, mode: NodeMode): void;
  /** Adds a note at `position`; returns its id. */
  addNote(position: ops.XY, text?: string): string;
  /** Edits a note's text; a burst of typing is one undo step. */
  setNoteText(id: string, text: string): void;
  /** Adds a group: around `members` when given (they join it), else an empty frame at `position`. Returns its id. */
  addGroup(options: { position?: ops.XY; members?: Iterable<string>; title?: string }): string;
  setGroupTitle(id: string, title: string): void;
  /** Colours a note or a group. */
  setItemColor(id: string, color: NodeColor | null): void;
  /**
   * Resizes a note or group (moved to `position` when resized from its top or left); while
   * `resizing`, calls join one undo step. A group's members follow its new frame when the resize ends.
   */
  resizeItem(id: string, size: Size, resizing: boolean, position?: ops.XY): void;
  /** Moves a link `by` places in the merge order of its multiple input. */
  moveInMergeOrder(edgeId: string, by: number): void;
  /** Moves a link's ends to `to` (checked as a new link), or removes it when `to` is null. One undo step. */
  reconnect(edgeId: string, to: { source: PortRef; target: PortRef } | null): ConnectionCheck;
  /** Puts a new node of `kind` on a link (source → node → target) at `position`; returns its id, or undefined when the kind cannot sit there. */
  spliceNode(edgeId: string, kind: string, position: ops.XY): string | undefined;
}

type Commit = (next: Workflow, group: string | null) => void;

export function createCanvasActions(commit: Commit, get: GetState, ctx: SliceContext): CanvasActions {
  const { registry } = ctx.deps;
  const sizeOf = (id: string) => get().nodeSizes.get(id);
  const newId = (prefix: string, wf: Workflow) => ctx.ids.next(prefix, items.itemIds(wf));

  return {
    setNodeFlags(ids, flags) {
      commit(items.setNodeFlags(get().workflow, ids, flags), null);
    },

    toggleMode(ids, mode) {
      commit(items.toggleMode(get().workflow, ids, mode), null);
    },

    addNote(position, text = '') {
      const wf = get().workflow;
      const id = newId('note', wf);
      const placed = items.addNote(wf, { id, position: { x: Math.round(position.x), y: Math.round(position.y) }, size: NOTE_SIZE, text });
      commit(items.regroup(placed, [id], sizeOf), null);
      return id;
    },

    setNoteText(id, text) {
      commit(items.setNoteText(get().workflow, id, text), `note:${id}`);
    },

    addGroup({ position, members, title = 'Group' }) {
      const wf = get().workflow;
      const id = newId('group', wf);
      const chosen = new Set(members ?? []);
      const frame = chosen.size ? items.frameAround(wf, chosen, sizeOf) : undefined;
      const at = frame ?? { position: { x: Math.round(position?.x ?? 0), y: Math.round(position?.y ?? 0) }, size: GROUP_SIZE };
      const known = items.itemIds(wf);
      commit(items.addGroup(wf, { id, title, ...at, members: [...chosen].filter((m) => known.has(m)) }), null);
      return id;
    },

    setGroupTitle(id, title) {
      commit(items.setGroupTitle(get().workflow, id, title), null);
    },

    setItemColor(id, color) {
      commit(items.setItemColor(get().workflow, id, color), null);
    },

    resizeItem(id, size, resizing, position) {
      let wf = items.resizeItem(get().workflow, id, size);
      if (position) wf = items.moveItems(wf, new Map([[id, { x: Math.round(position.x), y: Math.round(position.y) }]]));
      const group = wf.groups?.find((g) => g.id === id);
      // When the frame settles, what lies inside it belongs to it and what it let go of leaves.
      if (group && !resizing) {
        const candidates = [...wf.nodes.map((n) => n.id), ...(wf.notes ?? []).map((n) => n.id)];
        const claimedElsewhere = new Set((wf.groups ?? []).filter((g) => g.id !== id).flatMap((g) => g.members));
        wf = items.regroup(
          wf,
          candidates.filter((c) => group.members.includes(c) || !claimedElsewhere.has(c)),
          sizeOf,
        );
      }
      commit(wf, `drag-resize:${id}`);
      if (!resizing) ctx.history.close();
    },

    moveInMergeOrder(edgeId, by) {
      commit(moveInMergeOrder(get().workflow, edgeId, by), null);
    },

    reconnect(edgeId, to) {
      const wf = get().workflow;
      const old = wf.edges.find((e) => e.id === edgeId);
      if (!old) return { ok: false, reason: 'unknown-node', message: 'That link no longer exists.' };
      const without = ops.removeElements(wf, [], [edgeId]);
      if (!to) {
        commit(without, null);
        return { ok: true };
      }
      const check = checkFree(without, to.source, to.target);
      if (!check.ok) return check;
      commit(ops.addEdge(without, registry, to.source, to.target, old.id).workflow, null);
      return check;
    },

    spliceNode(edgeId, kind, position) {
      const wf = get().workflow;
      const edge = wf.edges.find((e) => e.id === edgeId);
      const def = registry.get(kind);
      const typeOf = (ref: PortRef, side: 'inputs' | 'outputs') => {
        const n = wf.nodes.find((x) => x.id === ref.node);
        return n ? registry.get(n.kind)?.[side].find((p) => p.name === ref.port)?.type : undefined;
      };
      const from = edge && typeOf(edge.source, 'outputs');
      const into = edge && typeOf(edge.target, 'inputs');
      const input = from && def?.inputs.find((p) => canConnectTypes(from, p.type));
      const output = into && def?.outputs.find((p) => canConnectTypes(p.type, into));
      if (!edge || !input || !output) return undefined;
      const id = ctx.ids.next('n', items.itemIds(wf));
      let next = ops.addNodes(ops.removeElements(wf, [], [edgeId]), [ops.makeNode(registry, kind, id, position)]);
      next = ops.addEdge(next, registry, edge.source, { node: id, port: input.name }, ctx.ids.next('e', ops.edgeIds(next))).workflow;
      // The new link takes the old one's place in the target's merge order.
      const out = {
        id: edge.id,
        source: { node: id, port: output.name },
        target: { ...edge.target },
        ...(edge.order !== undefined ? { order: edge.order } : {}),
      };
      commit({ ...next, edges: [...next.edges, out] }, null);
      return id;
    },
  };

  /** A link check as if a single-link input were free (linking onto it replaces its link). */
  function checkFree(wf: Workflow, source: PortRef, target: PortRef): ConnectionCheck {
    const node = wf.nodes.find((n) => n.id === target.node);
    const spec = node ? registry.get(node.kind)?.inputs.find((p) => p.name === target.port) : undefined;
    const free = spec && !spec.multiple ? { ...wf, edges: wf.edges.filter((e) => !(e.target.node === target.node && e.target.port === target.port)) } : wf;
    return validateConnection(free, registry, { source, target });
  }
}
