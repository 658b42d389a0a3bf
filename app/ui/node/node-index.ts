import type { WorkflowEdge, WorkflowNode } from '../../graph/workflow-schema';

const byId = new WeakMap<readonly WorkflowNode[], Map<string, WorkflowNode>>();
const firstInto = new WeakMap<readonly WorkflowEdge[], Map<string, WorkflowEdge>>();

/**
 * A node by id through an index built once per nodes array, so hundreds of selectors looking
 * up nodes on every store update (a drag frame) stay O(1) each.
 */
export function nodeById(nodes: readonly WorkflowNode[], id: string): WorkflowNode | undefined {
  let index = byId.get(nodes);
  if (!index) {
    index = new Map(nodes.map((n) => [n.id, n]));
    byId.set(nodes, index);
  }
  return index.get(id);
}

/** The first link into `node.port` (file order), through an index built once per edges array. */
export function firstLinkInto(edges: readonly WorkflowEdge[], node: string, port: string): WorkflowEdge | undefined {
  let index = firstInto.get(edges);
  if (!index) {
    index = new Map();
    for (const e of edges) {
      const key = `${e.target.node}\u0000${e.target.port}`;
      if (!index.has(key)) index.set(key, e);
    }
    firstInto.set(edges, index);
  }
  return index.get(`${node}\u0000${port}`);
}
