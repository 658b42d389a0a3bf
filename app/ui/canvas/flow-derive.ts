import type { Edge, Node } from '@xyflow/react';
import type { PortType } from '../../graph/ports';
import type { NodeRegistry } from '../../graph/registry';
import type { WorkflowEdge, WorkflowGroup, WorkflowNode, WorkflowNote } from '../../graph/workflow-schema';
import { mergePositions } from '../../store/graph-links';
import type { Size } from '../../store/ui-slice';
import { geometryKey, type RememberedGeometry } from './node-geometry';

/** A React Flow node drawn by GraphNode; it carries the saved node it shows. */
export type FlowNode = Node<{ node: WorkflowNode }, 'graph'>;
/** A note on the canvas (NoteNode.tsx). */
export type NoteFlowNode = Node<{ note: WorkflowNote }, 'note'>;
/** A group's frame (GroupNode.tsx), drawn under everything else. */
export type GroupFlowNode = Node<{ group: WorkflowGroup }, 'frame'>;
/** Everything on the canvas. */
export type CanvasFlowNode = FlowNode | NoteFlowNode | GroupFlowNode;
/** A link; `merge` is its place (1, 2, …) among the links of a multiple input that has several. */
export type FlowEdge = Edge<{ type: PortType | undefined; merge?: number }>;

/**
 * Groups lie under nodes and links whether selected or not (React Flow lifts a selected node by
 * 1000): a selected group must not cover what it holds.
 */
export const GROUP_Z = -1000;
const SELECTED_Z = 1000;
/** React Flow gives a node's box `pointer-events: all` inline; a group's box must let the canvas and links under it be clicked. */
const GROUP_STYLE = { pointerEvents: 'none' } as const;

/**
 * React Flow nodes and edges derived from the workflow. The workflow stays the single source of
 * truth; this only re-dresses it. Each derived object is reused while its inputs (the saved
 * node, its selection, its measured size) are the same objects, so React Flow re-renders only
 * the nodes an edit touched: moving one node of 1,000 re-renders one. A node's `data` changes
 * only with its saved node, so measuring or selecting it leaves its body alone.
 *
 * A node not measured yet in this page gets its `remembered` size and handles (node-geometry.ts),
 * so React Flow need not draw it to place it, and leaves it undrawn while it is out of view.
 */
export function createFlowDeriver(registry: NodeRegistry, remembered: RememberedGeometry = new Map()) {
  const nodeCache = new Map<string, { src: WorkflowNode; selected: boolean; size: Size | undefined; flow: FlowNode }>();
  const edgeCache = new Map<string, { src: WorkflowEdge; selected: boolean; type: PortType | undefined; merge: number | undefined; flow: FlowEdge }>();
  const itemCache = new Map<string, { src: WorkflowNote | WorkflowGroup; selected: boolean; flow: NoteFlowNode | GroupFlowNode }>();
  let lastItems:
    | {
        notes: readonly WorkflowNote[] | undefined;
        groups: readonly WorkflowGroup[] | undefined;
        sel: ReadonlySet<string>;
        out: (NoteFlowNode | GroupFlowNode)[];
      }
    | undefined;
  let lastNodes: { input: readonly WorkflowNode[]; sel: ReadonlySet<string>; sizes: ReadonlyMap<string, Size>; out: FlowNode[] } | undefined;
  let lastEdges: { input: readonly WorkflowEdge[]; nodes: readonly WorkflowNode[]; sel: ReadonlySet<string>; out: FlowEdge[] } | undefined;

  function nodes(input: readonly WorkflowNode[], sel: ReadonlySet<string>, sizes: ReadonlyMap<string, Size>): FlowNode[] {
    if (lastNodes && lastNodes.input === input && lastNodes.sel === sel && lastNodes.sizes === sizes) return lastNodes.out;
    const out: FlowNode[] = [];
    const seen = new Set<string>();
    for (const src of input) {
      const selected = sel.has(src.id);
      const size = sizes.get(src.id);
      const hit = nodeCache.get(src.id);
      seen.add(src.id);
      if (hit && hit.src === src && hit.selected === selected && hit.size === size) {
        out.push(hit.flow);
        continue;
      }
      const hint = size ? undefined : remembered.get(src.id);
      const geometry = hint?.kind === geometryKey(src) ? hint : undefined;
      const flow: FlowNode = {
        id: src.id,
        type: 'graph',
        position: src.position,
        // The same data object while the saved node is the same: GraphNode compares it, so a
        // size or selection change does not re-render the node's body.
        data: hit && hit.src === src ? hit.flow.data : { node: src },
        selected,
        ...(src.pinned ? { draggable: false } : {}),
        ...(size ? { measured: size } : geometry ? { measured: geometry.size, handles: geometry.handles } : {}),
      };
      nodeCache.set(src.id, { src, selected, size, flow });
      out.push(flow);
    }
    for (const id of nodeCache.keys()) if (!seen.has(id)) nodeCache.delete(id);
    lastNodes = { input, sel, sizes, out };
    return out;
  }

  function edges(input: readonly WorkflowEdge[], wfNodes: readonly WorkflowNode[], sel: ReadonlySet<string>): FlowEdge[] {
    if (lastEdges && lastEdges.input === input && lastEdges.sel === sel && kindsSame(lastEdges.nodes, wfNodes)) {
      return lastEdges.out;
    }
    const kindOf = new Map(wfNodes.map((n) => [n.id, n.kind]));
    const merge = mergePositions(input, (node, port) => registry.get(kindOf.get(node) ?? '')?.inputs.find((p) => p.name === port)?.multiple === true);
    const out: FlowEdge[] = [];
    const seen = new Set<string>();
    for (const src of input) {
      const kind = kindOf.get(src.source.node);
      const type = kind ? registry.get(kind)?.outputs.find((p) => p.name === src.source.port)?.type : undefined;
      const selected = sel.has(src.id);
      const place = merge.get(src.id);
      const hit = edgeCache.get(src.id);
      seen.add(src.id);
      if (hit && hit.src === src && hit.selected === selected && hit.type === type && hit.merge === place) {
        out.push(hit.flow);
        continue;
      }
      const flow: FlowEdge = {
        id: src.id,
        source: src.source.node,
        sourceHandle: src.source.port,
        target: src.target.node,
        targetHandle: src.target.port,
        selected,
        // Only the input end is dragged off (to move the link to another input, or drop it).
        reconnectable: 'target',
        className: `edge-${type ?? 'unknown'}`,
        data: place === undefined ? { type } : { type, merge: place },
        ...(place === undefined ? {} : { type: 'merge' }),
      };
      edgeCache.set(src.id, { src, selected, type, merge: place, flow });
      out.push(flow);
    }
    for (const id of edgeCache.keys()) if (!seen.has(id)) edgeCache.delete(id);
    lastEdges = { input, nodes: wfNodes, sel, out };
    return out;
  }

  /** Groups (first: drawn under everything) and notes, reused while unchanged. */
  function items(notes: readonly WorkflowNote[] | undefined, groups: readonly WorkflowGroup[] | undefined, sel: ReadonlySet<string>) {
    if (lastItems && lastItems.notes === notes && lastItems.groups === groups && lastItems.sel === sel) return lastItems.out;
    const out: (NoteFlowNode | GroupFlowNode)[] = [];
    const seen = new Set<string>();
    const reuse = (src: WorkflowNote | WorkflowGroup, make: (selected: boolean) => NoteFlowNode | GroupFlowNode) => {
      const selected = sel.has(src.id);
      const hit = itemCache.get(src.id);
      seen.add(src.id);
      const flow = hit && hit.src === src && hit.selected === selected ? hit.flow : make(selected);
      itemCache.set(src.id, { src, selected, flow });
      out.push(flow);
    };
    for (const group of groups ?? []) {
      reuse(group, (selected) => ({
        id: group.id,
        type: 'frame',
        position: group.position,
        width: group.size.width,
        height: group.size.height,
        data: { group },
        selected,
        // Dragged by its title bar only: the body lets clicks through to the canvas and links.
        dragHandle: '.frame-title',
        style: GROUP_STYLE,
        zIndex: GROUP_Z - (selected ? SELECTED_Z : 0),
      }));
    }
    for (const note of notes ?? []) {
      reuse(note, (selected) => ({
        id: note.id,
        type: 'note',
        position: note.position,
        width: note.size.width,
        height: note.size.height,
        data: { note },
        selected,
      }));
    }
    for (const id of itemCache.keys()) if (!seen.has(id)) itemCache.delete(id);
    lastItems = { notes, groups, sel, out };
    return out;
  }

  return { nodes, edges, items };
}

/** Whether two node lists have the same ids and kinds in order (moves do not matter to edges). */
function kindsSame(a: readonly WorkflowNode[], b: readonly WorkflowNode[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.id !== b[i]!.id || a[i]!.kind !== b[i]!.kind) return false;
  return true;
}
