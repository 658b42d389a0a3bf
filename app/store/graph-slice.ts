import { canConnectTypes } from '../graph/ports';
import type { PortRef, Workflow, WorkflowEdge, WorkflowNode } from '../graph/workflow-schema';
import { validateConnection, type ConnectionCheck } from '../graph/connections';
import { createCanvasActions, type CanvasActions } from './graph-canvas-actions';
import * as items from './graph-items';
import * as ops from './graph-ops';
import type { GetState, SetState, SliceContext } from './store-types';

/** A dangling link end the user dropped on the canvas: the new node gets linked to it. */
export interface LinkEnd {
  node: string;
  port: string;
  /** `source`: the link starts at an output of `node`; `target`: it ends at an input. */
  side: 'source' | 'target';
}

/** The persisted, undoable part of the state: the workflow, the single source of truth. */
export interface GraphSlice extends CanvasActions {
  workflow: Workflow;
  /** True between the first move of a drag and {@link endDrag} (autosave waits for the end). */
  dragging: boolean;
  /** Adds a node with default params (plus `params`); links it to `linkFrom` when given. */
  addNode(kind: string, position: ops.XY, options?: { params?: Record<string, unknown>; linkFrom?: LinkEnd; title?: string }): string;
  /**
   * Removes nodes, notes and groups (a group's members stay) by id, and links. Pinned nodes are
   * kept unless `unpinned` is set (an explicit "delete this pinned node"); returns the ids kept.
   */
  removeElements(nodeIds: Iterable<string>, edgeIds?: Iterable<string>, options?: { unpinned?: boolean }): string[];
  /**
   * Moves nodes, notes and groups (a group's members are moved by the caller, with it). With
   * `regroup` (the user dropped them), moved nodes and notes land in the group under their centre,
   * or leave theirs. While `dragging`, every call joins one undo step, ended by {@link endDrag}.
   */
  moveNodes(positions: ReadonlyMap<string, ops.XY>, dragging?: boolean, options?: { regroup?: boolean }): void;
  endDrag(): void;
  /** Sets a param; edits of the same param in a burst form one undo step. */
  setParam(nodeId: string, name: string, value: unknown): void;
  setTitle(nodeId: string, title: string): void;
  /** Whether a link may be made, with the reason when not (nothing changes). */
  checkConnection(source: PortRef, target: PortRef): ConnectionCheck;
  /** Makes a link when valid; replaces the old link of a single-link input. */
  connect(source: PortRef, target: PortRef): ConnectionCheck;
  /** Adds copied nodes with fresh ids, moved by `offset`; returns the new node ids. */
  insertFragment(fragment: { nodes: readonly WorkflowNode[]; edges: readonly WorkflowEdge[] }, offset: ops.XY): string[];
  /** Replaces the whole workflow (open file, template, restore). `undoable: false` also clears history. */
  replaceWorkflow(workflow: Workflow, options?: { undoable?: boolean }): void;
  /** Ends the current typing burst, so the next edit is its own undo step. */
  closeHistoryGroup(): void;
}

export function createGraphSlice(set: SetState, get: GetState, ctx: SliceContext, initial: Workflow): GraphSlice {
  const { registry } = ctx.deps;

  /** Commits a new workflow under an undo group key; a no-op edit records nothing. */
  const commit = (next: Workflow, group: string | null) => {
    if (next === get().workflow) return;
    ctx.history.tag(group);
    set({ workflow: next });
  };

  const firstCompatiblePort = (kind: string, from: LinkEnd, wf: Workflow): string | undefined => {
    const def = registry.get(kind);
    const otherNode = wf.nodes.find((n) => n.id === from.node);
    const otherDef = otherNode ? registry.get(otherNode.kind) : undefined;
    if (!def || !otherDef) return undefined;
    if (from.side === 'source') {
      const type = otherDef.outputs.find((p) => p.name === from.port)?.type;
      return type && def.inputs.find((p) => canConnectTypes(type, p.type))?.name;
    }
    const type = otherDef.inputs.find((p) => p.name === from.port)?.type;
    return type && def.outputs.find((p) => canConnectTypes(p.type, type))?.name;
  };

  /**
   * Checks a link as if a single-link input were free: linking onto an occupied input replaces
   * its link (as in ComfyUI), so "already linked" is not a reason to refuse while dragging.
   */
  const check = (wf: Workflow, source: PortRef, target: PortRef): ConnectionCheck => {
    const node = wf.nodes.find((n) => n.id === target.node);
    const spec = node ? registry.get(node.kind)?.inputs.find((p) => p.name === target.port) : undefined;
    const free = spec && !spec.multiple ? { ...wf, edges: wf.edges.filter((e) => !(e.target.node === target.node && e.target.port === target.port)) } : wf;
    return validateConnection(free, registry, { source, target });
  };

  return {
    workflow: initial,
    dragging: false,

    addNode(kind, position, options = {}) {
      let wf = get().workflow;
      const id = ctx.ids.next('n', items.itemIds(wf));
      const node = ops.makeNode(registry, kind, id, position, options.params);
      wf = ops.addNodes(wf, [options.title ? { ...node, title: options.title } : node]);
      const from = options.linkFrom;
      const port = from && firstCompatiblePort(kind, from, wf);
      if (from && port) {
        const source = from.side === 'source' ? { node: from.node, port: from.port } : { node: id, port };
        const target = from.side === 'source' ? { node: id, port } : { node: from.node, port: from.port };
        if (check(wf, source, target).ok) {
          wf = ops.addEdge(wf, registry, source, target, ctx.ids.next('e', ops.edgeIds(wf))).workflow;
        }
      }
      commit(wf, null);
      return id;
    },

    removeElements(nodeIds, edgeIds = [], options = {}) {
      const wf = get().workflow;
      const ids = new Set(nodeIds);
      const kept = options.unpinned ? new Set<string>() : items.pinnedAmong(wf, ids);
      for (const id of kept) ids.delete(id);
      commit(items.removeItems(ops.removeElements(wf, ids, edgeIds), ids), null);
      return [...kept];
    },

    moveNodes(positions, dragging = false, options = {}) {
      if (dragging && !get().dragging) set({ dragging: true });
      const wf = get().workflow;
      const moved = items.moveItems(wf, positions);
      const groupIds = new Set((wf.groups ?? []).map((g) => g.id));
      const dropped = [...positions.keys()].filter((id) => !groupIds.has(id));
      const settled = moved === wf || !options.regroup ? moved : items.regroup(moved, dropped, (id) => get().nodeSizes.get(id));
      commit(settled, dragging ? 'drag' : null);
    },

    endDrag() {
      ctx.history.close();
      if (get().dragging) set({ dragging: false });
    },

    setParam(nodeId, name, value) {
      commit(ops.setParam(get().workflow, nodeId, name, value), `param:${nodeId}:${name}`);
    },

    setTitle(nodeId, title) {
      commit(ops.setTitle(get().workflow, nodeId, title), `title:${nodeId}`);
    },

    checkConnection(source, target) {
      return check(get().workflow, source, target);
    },

    connect(source, target) {
      const wf = get().workflow;
      const result = check(wf, source, target);
      if (!result.ok) return result;
      commit(ops.addEdge(wf, registry, source, target, ctx.ids.next('e', ops.edgeIds(wf))).workflow, null);
      return result;
    },

    insertFragment(fragment, offset) {
      const wf = get().workflow;
      const known = fragment.nodes.filter((n) => registry.get(n.kind));
      const taken = items.itemIds(wf);
      const { nodes, edges } = ops.remapFragment(wf, { nodes: known, edges: fragment.edges }, offset, (prefix, used) =>
        ctx.ids.next(prefix, prefix === 'n' ? new Set([...used, ...taken]) : used),
      );
      commit(ops.addNodes(wf, nodes, edges), null);
      return nodes.map((n) => n.id);
    },

    replaceWorkflow(workflow, options = {}) {
      ctx.history.close();
      commit(workflow, null);
      if (options.undoable === false) ctx.clearHistory();
    },

    closeHistoryGroup() {
      ctx.history.close();
    },

    ...createCanvasActions(commit, get, ctx),
  };
}
