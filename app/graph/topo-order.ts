import { findCycles } from './cycles';
import { IndexHeap } from './min-heap';
import type { GraphLike } from './links';

/** A topological order, or the part that could be ordered plus the cycle that blocked the rest. */
export type TopoResult =
  | { readonly ok: true; readonly order: string[] }
  | {
      readonly ok: false;
      /** The nodes that could be ordered (none of them depends on a cycle). */
      readonly order: string[];
      /** The nodes left over (on a cycle or downstream of one), in file order. */
      readonly rest: string[];
      /** One cycle among the rest, as a path: `['a','b','a']`. */
      readonly cycle: string[];
    };

/**
 * Kahn's algorithm with ties broken by position in `graph.nodes`, so the same file always gives
 * the same order (and runs, logs and tests are reproducible). Edges to unknown nodes are ignored.
 */
export function topoOrder(graph: GraphLike): TopoResult {
  const position = new Map<string, number>();
  graph.nodes.forEach((n, i) => position.set(n.id, i));
  const indegree = new Array<number>(graph.nodes.length).fill(0);
  const out: number[][] = graph.nodes.map(() => []);
  for (const e of graph.edges) {
    const s = position.get(e.source.node);
    const t = position.get(e.target.node);
    if (s === undefined || t === undefined) continue;
    out[s]!.push(t);
    indegree[t]!++;
  }
  const ready = new IndexHeap();
  indegree.forEach((d, i) => {
    if (d === 0) ready.push(i);
  });
  const order: string[] = [];
  for (let i = ready.pop(); i !== undefined; i = ready.pop()) {
    order.push(graph.nodes[i]!.id);
    for (const t of out[i]!) if (--indegree[t]! === 0) ready.push(t);
  }
  if (order.length === graph.nodes.length) return { ok: true, order };
  const done = new Set(order);
  const restNodes = graph.nodes.filter((n) => !done.has(n.id));
  const cycle = findCycles({ nodes: restNodes, edges: graph.edges })[0] ?? [];
  return { ok: false, order, rest: restNodes.map((n) => n.id), cycle };
}
