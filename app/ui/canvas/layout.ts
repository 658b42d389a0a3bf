import type { NodeRegistry } from '../../graph/registry';
import type { Workflow } from '../../graph/workflow-schema';
import type { StudioState } from '../../store/store-types';
import type { Size } from '../../store/ui-slice';
import { resultImages, showsFrames } from '../frames/result-images';

const FALLBACK: Size = { width: 280, height: 200 };

/**
 * Height a node gains at most when a run fills its frame strip: border, padding, the head line
 * and the strip's largest height (two rows, 132 px in theme.css), rounded up.
 */
export const FRAME_STRIP_ROOM = 170;

export interface LayoutOptions {
  /** Height to keep free under a node beyond its drawn size (room it will grow into). */
  extraHeight?: (nodeId: string) => number;
}

/**
 * Left-to-right layered layout (dagre) of the whole graph, using the sizes the nodes were drawn
 * at. Returns new top-left positions by node id; the caller commits them as one undo step.
 * dagre is loaded on first use (≈16 KiB gzipped kept out of the initial bundle; see test/bench/ui-bench.ts).
 */
export async function autoLayout(
  workflow: Workflow,
  sizes: ReadonlyMap<string, Size>,
  options: LayoutOptions = {},
): Promise<Map<string, { x: number; y: number }>> {
  const { default: dagre } = await import('@dagrejs/dagre');
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 90, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const extra = new Map<string, number>();
  for (const n of workflow.nodes) {
    const size = sizes.get(n.id) ?? FALLBACK;
    const room = Math.max(0, options.extraHeight?.(n.id) ?? 0);
    extra.set(n.id, room);
    g.setNode(n.id, { width: size.width, height: size.height + room });
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

/**
 * For {@link autoLayout}: keeps room under every node that shows frames but has none yet, so a
 * later run, which adds its frame strip, does not make it overlap the node laid out below it.
 */
export function frameRoom(s: Pick<StudioState, 'workflow' | 'results'>, registry: NodeRegistry): (nodeId: string) => number {
  const kinds = new Map(s.workflow.nodes.map((n) => [n.id, n.kind]));
  return (nodeId) => {
    const def = registry.get(kinds.get(nodeId) ?? '');
    if (!def || !showsFrames(def)) return 0;
    return resultImages(s, nodeId).length > 0 ? 0 : FRAME_STRIP_ROOM;
  };
}
