import type { Workflow } from '../../graph/workflow-schema';
import type { StudioStore } from '../../store/create-store';

/** Room left between the graph on the canvas and a template added beside it, in flow units. */
const GAP = 160;
/** A node's width before it is measured. */
const NODE_WIDTH = 320;

/**
 * Adds a template's nodes to the right of the graph on the canvas (fresh ids, one undo step),
 * selects them and shows them (the readable fit of the selection): the graph that was there stays as it was.
 */
export function placeBeside(store: StudioStore, template: Workflow): string[] {
  const s = store.getState();
  if (template.nodes.length === 0 || s.workflow.nodes.length === 0) return [];
  const right = Math.max(...s.workflow.nodes.map((n) => n.position.x + (s.nodeSizes.get(n.id)?.width ?? NODE_WIDTH)));
  const top = Math.min(...s.workflow.nodes.map((n) => n.position.y));
  const left = Math.min(...template.nodes.map((n) => n.position.x));
  const templateTop = Math.min(...template.nodes.map((n) => n.position.y));
  const ids = s.insertFragment({ nodes: template.nodes, edges: template.edges }, { x: right + GAP - left, y: top - templateTop });
  s.setSelection(ids);
  s.requestReadableFit();
  return ids;
}
