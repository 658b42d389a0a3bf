import dagre from '@dagrejs/dagre';
import type { Workflow } from '../../graph/workflow-schema';
import type { Size } from '../../store/ui-slice';

const FALLBACK: Size = { width: 280, height: 200 };

/**
 * Left-to-right layered layout (dagre) of the whole graph, using the sizes the nodes were drawn
 * at. Returns new top-left positions by node id; the caller commits them as one undo step.
 */
export function autoLayout(workflow: Workflow, sizes: ReadonlyMap<string, Size>): Map<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 90, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of workflow.nodes) {
    const size = sizes.get(n.id) ?? FALLBACK;
    g.setNode(n.id, { width: size.width, height: size.height });
  }
  for (const e of workflow.edges) {
    if (g.hasNode(e.source.node) && g.hasNode(e.target.node)) g.setEdge(e.source.node, e.target.node);
  }
  dagre.layout(g);
  const out = new Map<string, { x: number; y: number }>();
  for (const n of workflow.nodes) {
    const laid = g.node(n.id) as { x: number; y: number; width: number; height: number } | undefined;
    if (laid) out.set(n.id, { x: Math.round(laid.x - laid.width / 2), y: Math.round(laid.y - laid.height / 2) });
  }
  return out;
}
