import { compareLinkOrder } from '../../graph/links';
import type { NodeRegistry } from '../../graph/registry';
import type { Workflow, WorkflowEdge } from '../../graph/workflow-schema';
import { frameAround } from '../../store/graph-items';
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
 * For every input with several links (a Seedream's references): its sources in merge order,
 * as dagre ordering constraints (in a left-to-right layout, "left" of a pair is drawn above).
 */
export function mergeOrderConstraints(edges: readonly WorkflowEdge[]): { left: string; right: string }[] {
  const byInput = new Map<string, WorkflowEdge[]>();
  for (const e of edges) {
    const key = `${e.target.node}\u0000${e.target.port}`;
    byInput.set(key, [...(byInput.get(key) ?? []), e]);
  }
  const out: { left: string; right: string }[] = [];
  const seen = new Set<string>();
  for (const list of byInput.values()) {
    if (list.length < 2) continue;
    const sources = [...new Set(list.sort(compareLinkOrder).map((e) => e.source.node))];
    for (let i = 1; i < sources.length; i++) {
      const pair = `${sources[i - 1]}\u0000${sources[i]}`;
      // A pair asked for both ways (two inputs merging the same sources differently) keeps the first.
      if (seen.has(pair) || seen.has(`${sources[i]}\u0000${sources[i - 1]}`)) continue;
      seen.add(pair);
      out.push({ left: sources[i - 1]!, right: sources[i]! });
    }
  }
  return out;
}

/**
 * Left-to-right layered layout (dagre) of the whole graph, using the sizes the nodes were drawn
 * at. The references feeding an input stay in their merge order, top to bottom, and a group's
 * frame moves with its members (to their new top-left). Returns new top-left positions by id
 * (nodes, and groups and their notes); the caller commits them as one undo step.
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
  dagre.layout(g, { constraints: mergeOrderConstraints(workflow.edges) });
  const out = new Map<string, { x: number; y: number }>();
  for (const n of workflow.nodes) {
    const laid = g.node(n.id) as { x: number; y: number; width: number; height: number } | undefined;
    if (laid) out.set(n.id, { x: Math.round(laid.x - laid.width / 2), y: Math.round(laid.y - laid.height / 2) });
  }
  moveFrames(workflow, sizes, out);
  return out;
}

/** Each group goes to the new top-left of its node members, taking its notes along. */
function moveFrames(workflow: Workflow, sizes: ReadonlyMap<string, Size>, out: Map<string, { x: number; y: number }>): void {
  const laidOut = { ...workflow, nodes: workflow.nodes.map((n) => ({ ...n, position: out.get(n.id) ?? n.position })) };
  for (const group of workflow.groups ?? []) {
    const nodes = new Set(group.members.filter((m) => out.has(m)));
    const frame = nodes.size ? frameAround(laidOut, nodes, (id) => sizes.get(id)) : undefined;
    if (!frame) continue;
    const dx = frame.position.x - group.position.x;
    const dy = frame.position.y - group.position.y;
    out.set(group.id, frame.position);
    for (const note of workflow.notes ?? []) {
      if (group.members.includes(note.id)) out.set(note.id, { x: note.position.x + dx, y: note.position.y + dy });
    }
  }
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
