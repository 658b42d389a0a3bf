import { successors, type GraphLike } from './links';

/**
 * Finds the cycles of a graph: one per strongly connected component that loops (two or more
 * nodes, or a node linked to itself). Each cycle is the node ids along the loop in link
 * direction, starting and ending at its first node in file order, e.g. `['a','b','c','a']`.
 * Cycles are listed in file order of their first node.
 */
export function findCycles(graph: GraphLike): string[][] {
  const adj = successors(graph);
  const position = new Map(graph.nodes.map((n, i) => [n.id, i] as const));
  const cycles: string[][] = [];
  for (const component of stronglyConnected(adj)) {
    const start = component.reduce((a, b) => (position.get(a)! <= position.get(b)! ? a : b));
    const loops = component.length > 1 || (adj.get(start) ?? []).includes(start);
    if (!loops) continue;
    const members = new Set(component);
    const path = pathWithin(adj, start, start, members);
    if (path) cycles.push(path);
  }
  return cycles.sort((a, b) => position.get(a[0]!)! - position.get(b[0]!)!);
}

/** The first cycle of {@link findCycles}, or undefined when the graph is acyclic. */
export function findCycle(graph: GraphLike): string[] | undefined {
  return findCycles(graph)[0];
}

/**
 * A shortest path of links from `from` to `to` (both included), or undefined when there is none.
 * `from === to` asks for a loop back to the start. Used to explain why a new link would cycle.
 */
export function findPath(graph: GraphLike, from: string, to: string): string[] | undefined {
  return pathWithin(successors(graph), from, to);
}

/**
 * Breadth-first search over `adj` (optionally only through `within`). The target is checked on
 * each link before the visited set, so `from === to` finds a loop back to the start.
 */
function pathWithin(adj: ReadonlyMap<string, readonly string[]>, from: string, to: string, within?: ReadonlySet<string>): string[] | undefined {
  if (!adj.has(from)) return undefined;
  const parent = new Map<string, string>([[from, from]]);
  const queue = [from];
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head]!;
    for (const next of adj.get(id) ?? []) {
      if (next === to) {
        const path = [to, id];
        for (let p = id; p !== from;) {
          p = parent.get(p)!;
          path.push(p);
        }
        return path.reverse();
      }
      if (parent.has(next) || (within && !within.has(next))) continue;
      parent.set(next, id);
      queue.push(next);
    }
  }
  return undefined;
}

/**
 * Tarjan's strongly connected components, iterative so a long chain cannot overflow the stack.
 */
function stronglyConnected(adj: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of adj.keys()) {
    if (index.has(root)) continue;
    const work: { id: string; next: number }[] = [{ id: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const frame = work[work.length - 1]!;
      const succ = adj.get(frame.id) ?? [];
      if (frame.next < succ.length) {
        const w = succ[frame.next++]!;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ id: w, next: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.id, Math.min(low.get(frame.id)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        for (;;) {
          const w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
          if (w === frame.id) break;
        }
        components.push(component);
      }
    }
  }
  return components;
}
