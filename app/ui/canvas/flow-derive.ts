import type { Edge, Node } from '@xyflow/react';
import type { PortType } from '../../graph/ports';
import type { NodeRegistry } from '../../graph/registry';
import type { WorkflowEdge, WorkflowNode } from '../../graph/workflow-schema';
import type { Size } from '../../store/ui-slice';
import type { RememberedGeometry } from './node-geometry';

/** A React Flow node drawn by GraphNode; it carries the saved node it shows. */
export type FlowNode = Node<{ node: WorkflowNode }, 'graph'>;
export type FlowEdge = Edge<{ type: PortType | undefined }>;

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
  const edgeCache = new Map<string, { src: WorkflowEdge; selected: boolean; type: PortType | undefined; flow: FlowEdge }>();
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
      const geometry = hint?.kind === src.kind ? hint : undefined;
      const flow: FlowNode = {
        id: src.id,
        type: 'graph',
        position: src.position,
        // The same data object while the saved node is the same: GraphNode compares it, so a
        // size or selection change does not re-render the node's body.
        data: hit && hit.src === src ? hit.flow.data : { node: src },
        selected,
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
    const out: FlowEdge[] = [];
    const seen = new Set<string>();
    for (const src of input) {
      const kind = kindOf.get(src.source.node);
      const type = kind ? registry.get(kind)?.outputs.find((p) => p.name === src.source.port)?.type : undefined;
      const selected = sel.has(src.id);
      const hit = edgeCache.get(src.id);
      seen.add(src.id);
      if (hit && hit.src === src && hit.selected === selected && hit.type === type) {
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
        className: `edge-${type ?? 'unknown'}`,
        data: { type },
      };
      edgeCache.set(src.id, { src, selected, type, flow });
      out.push(flow);
    }
    for (const id of edgeCache.keys()) if (!seen.has(id)) edgeCache.delete(id);
    lastEdges = { input, nodes: wfNodes, sel, out };
    return out;
  }

  return { nodes, edges };
}

/** Whether two node lists have the same ids and kinds in order (moves do not matter to edges). */
function kindsSame(a: readonly WorkflowNode[], b: readonly WorkflowNode[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.id !== b[i]!.id || a[i]!.kind !== b[i]!.kind) return false;
  return true;
}
