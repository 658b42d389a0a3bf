import type { WorkflowEdge } from '../../graph/workflow-schema';

const NONE = '';
const cache = new WeakMap<readonly WorkflowEdge[], Map<string, string>>();

/**
 * The linked input ports of a node as one string (`"images,prompt"`), from an index built once
 * per edges array. A string is compared by value, so a node's selector only fires when its own
 * links change, however many nodes select from the same store.
 */
export function linkedInputsOf(edges: readonly WorkflowEdge[], nodeId: string): string {
  let index = cache.get(edges);
  if (!index) {
    const sets = new Map<string, Set<string>>();
    for (const e of edges) {
      let ports = sets.get(e.target.node);
      if (!ports) sets.set(e.target.node, (ports = new Set()));
      ports.add(e.target.port);
    }
    index = new Map([...sets].map(([id, ports]) => [id, [...ports].sort().join(',')]));
    cache.set(edges, index);
  }
  return index.get(nodeId) ?? NONE;
}
