import type { PortRef } from './workflow-schema';

/** The part of an edge the graph algorithms look at (a saved WorkflowEdge fits). */
export interface EdgeLike {
  readonly id?: string;
  readonly source: PortRef;
  readonly target: PortRef;
  readonly order?: number;
}

/** The part of a workflow the graph algorithms look at (a saved Workflow fits). */
export interface GraphLike<E extends EdgeLike = EdgeLike> {
  readonly nodes: readonly { readonly id: string }[];
  readonly edges: readonly E[];
}

/**
 * Merge order of the links into one input: ascending explicit `order`; links without one come
 * after the ordered ones. Array#sort is stable, so equal orders keep file order.
 */
export function compareLinkOrder(a: EdgeLike, b: EdgeLike): number {
  return (a.order ?? Number.POSITIVE_INFINITY) - (b.order ?? Number.POSITIVE_INFINITY) || 0;
}

/** Edges into and out of every node, built once so lookups are O(1). */
export interface LinkIndex<E extends EdgeLike> {
  /** Per target node, per input port: its links in merge order. */
  readonly incoming: ReadonlyMap<string, ReadonlyMap<string, readonly E[]>>;
  /** Per source node: its outgoing links in file order. */
  readonly outgoing: ReadonlyMap<string, readonly E[]>;
}

/** Indexes edges by target port (sorted by merge order) and by source node (file order). */
export function indexLinks<E extends EdgeLike>(edges: readonly E[]): LinkIndex<E> {
  const incoming = new Map<string, Map<string, E[]>>();
  const outgoing = new Map<string, E[]>();
  for (const e of edges) {
    let ports = incoming.get(e.target.node);
    if (!ports) incoming.set(e.target.node, (ports = new Map()));
    const list = ports.get(e.target.port);
    if (list) list.push(e);
    else ports.set(e.target.port, [e]);
    const out = outgoing.get(e.source.node);
    if (out) out.push(e);
    else outgoing.set(e.source.node, [e]);
  }
  for (const ports of incoming.values()) for (const list of ports.values()) list.sort(compareLinkOrder);
  return { incoming, outgoing };
}

/** The links into one input port of a node, in merge order. */
export function incomingLinks<E extends EdgeLike>(edges: readonly E[], node: string, port: string): E[] {
  return edges.filter((e) => e.target.node === node && e.target.port === port).sort(compareLinkOrder);
}

/**
 * Successor node ids per node (each listed once, in file order of the first edge), ignoring
 * edges whose ends are not nodes of the graph. Self-links are kept: they are cycles.
 */
export function successors(graph: GraphLike): Map<string, string[]> {
  const adj = new Map<string, string[]>();
  for (const n of graph.nodes) adj.set(n.id, []);
  const seen = new Set<string>();
  for (const e of graph.edges) {
    const out = adj.get(e.source.node);
    if (!out || !adj.has(e.target.node)) continue;
    const pair = `${e.source.node}\u0000${e.target.node}`;
    if (seen.has(pair)) continue;
    seen.add(pair);
    out.push(e.target.node);
  }
  return adj;
}

/** Predecessor node ids per node, the mirror of {@link successors}. */
export function predecessors(graph: GraphLike): Map<string, string[]> {
  const pred = new Map<string, string[]>();
  for (const n of graph.nodes) pred.set(n.id, []);
  for (const [from, tos] of successors(graph)) for (const to of tos) pred.get(to)!.push(from);
  return pred;
}

/** Every node `roots` depend on, transitively, plus the roots themselves. */
export function ancestorsOf(graph: GraphLike, roots: Iterable<string>): Set<string> {
  const pred = predecessors(graph);
  const seen = new Set<string>();
  const stack: string[] = [];
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    stack.push(id);
  };
  for (const r of roots) if (pred.has(r)) visit(r);
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) for (const p of pred.get(id) ?? []) visit(p);
  return seen;
}
