import type { NodeRegistry } from '../graph/registry';
import type { PortRef, Workflow, WorkflowEdge, WorkflowNode } from '../graph/workflow-schema';

/**
 * Pure edits of a Workflow. Each returns a new workflow and keeps every untouched node and edge
 * object as it was: the canvas derives one React Flow node per workflow node by identity, so an
 * edit re-renders only what it changed.
 */

export interface XY {
  x: number;
  y: number;
}

/** The first unused id of the form `<prefix><n>`, n from 1. */
export function nextId(prefix: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const id = `${prefix}${n}`;
    if (!taken.has(id)) return id;
  }
}

export const nodeIds = (wf: Workflow): Set<string> => new Set(wf.nodes.map((n) => n.id));
export const edgeIds = (wf: Workflow): Set<string> => new Set(wf.edges.map((e) => e.id));

/** A new node of `kind` with its definition's default params. Throws on an unknown kind (a bug). */
export function makeNode(registry: NodeRegistry, kind: string, id: string, position: XY, params?: Record<string, unknown>): WorkflowNode {
  const def = registry.get(kind);
  if (!def) throw new Error(`Unknown node kind "${kind}"`);
  const defaults = def.params.parse({}) as Record<string, unknown>;
  return { id, kind, kindVersion: def.version, params: { ...defaults, ...params }, position: { x: position.x, y: position.y } };
}

export function addNodes(wf: Workflow, nodes: readonly WorkflowNode[], edges: readonly WorkflowEdge[] = []): Workflow {
  return { ...wf, nodes: [...wf.nodes, ...nodes], edges: edges.length ? [...wf.edges, ...edges] : wf.edges };
}

/** Removes nodes (and every edge touching them) and edges. Unchanged arrays are kept. */
export function removeElements(wf: Workflow, nodes: Iterable<string>, edges: Iterable<string> = []): Workflow {
  const goneNodes = new Set(nodes);
  const goneEdges = new Set(edges);
  const keptNodes = goneNodes.size ? wf.nodes.filter((n) => !goneNodes.has(n.id)) : wf.nodes;
  const keptEdges = wf.edges.filter((e) => !goneEdges.has(e.id) && !goneNodes.has(e.source.node) && !goneNodes.has(e.target.node));
  if (keptNodes.length === wf.nodes.length && keptEdges.length === wf.edges.length) return wf;
  return { ...wf, nodes: keptNodes, edges: keptEdges.length === wf.edges.length ? wf.edges : keptEdges };
}

/** Moves nodes; nodes whose position does not change keep their identity. */
export function moveNodes(wf: Workflow, positions: ReadonlyMap<string, XY>): Workflow {
  let changed = false;
  const nodes = wf.nodes.map((n) => {
    const p = positions.get(n.id);
    if (!p || (p.x === n.position.x && p.y === n.position.y)) return n;
    changed = true;
    return { ...n, position: { x: p.x, y: p.y } };
  });
  return changed ? { ...wf, nodes } : wf;
}

/** Replaces one node through `update`; the workflow is unchanged when `update` returns the same node. */
export function updateNode(wf: Workflow, id: string, update: (node: WorkflowNode) => WorkflowNode): Workflow {
  const i = wf.nodes.findIndex((n) => n.id === id);
  const node = wf.nodes[i];
  if (!node) return wf;
  const next = update(node);
  if (next === node) return wf;
  const nodes = wf.nodes.slice();
  nodes[i] = next;
  return { ...wf, nodes };
}

export function setParam(wf: Workflow, id: string, name: string, value: unknown): Workflow {
  return updateNode(wf, id, (n) => (Object.is(n.params[name], value) ? n : { ...n, params: { ...n.params, [name]: value } }));
}

/** Sets a node's own title; an empty title goes back to the kind's. */
export function setTitle(wf: Workflow, id: string, title: string): Workflow {
  const clean = title.trim();
  return updateNode(wf, id, (n) => {
    if ((n.title ?? '') === clean) return n;
    const { title: _old, ...rest } = n;
    return clean ? { ...rest, title: clean } : rest;
  });
}

/**
 * Adds a link. A `multiple` input gets it appended after its other links; any other input has
 * room for one link, so an existing one is replaced (as in ComfyUI). Validity is checked by the
 * caller (the engine's validateConnection).
 */
export function addEdge(wf: Workflow, registry: NodeRegistry, source: PortRef, target: PortRef, id: string): { workflow: Workflow; edge: WorkflowEdge } {
  const targetNode = wf.nodes.find((n) => n.id === target.node);
  const spec = targetNode ? registry.get(targetNode.kind)?.inputs.find((p) => p.name === target.port) : undefined;
  const intoPort = wf.edges.filter((e) => e.target.node === target.node && e.target.port === target.port);
  let edges = wf.edges;
  let order: number | undefined;
  if (spec?.multiple) {
    order = intoPort.reduce((max, e, i) => Math.max(max, e.order ?? i), -1) + 1;
  } else if (intoPort.length) {
    const replaced = new Set(intoPort.map((e) => e.id));
    edges = edges.filter((e) => !replaced.has(e.id));
  }
  const edge: WorkflowEdge = { id, source: { ...source }, target: { ...target }, ...(order === undefined ? {} : { order }) };
  return { workflow: { ...wf, edges: [...edges, edge] }, edge };
}

/** The sub-graph of `ids`: those nodes and the edges between them (for copy and duplicate). */
export function extractFragment(wf: Workflow, ids: ReadonlySet<string>): { nodes: WorkflowNode[]; edges: WorkflowEdge[] } {
  return {
    nodes: wf.nodes.filter((n) => ids.has(n.id)),
    edges: wf.edges.filter((e) => ids.has(e.source.node) && ids.has(e.target.node)),
  };
}

/**
 * Gives a fragment fresh ids (not taken in `wf`, from `next`) and moves it by `offset`, so it can
 * be pasted into the same workflow any number of times. Edges to nodes outside the fragment are dropped.
 */
export function remapFragment(
  wf: Workflow,
  fragment: { nodes: readonly WorkflowNode[]; edges: readonly WorkflowEdge[] },
  offset: XY,
  next: (prefix: string, taken: ReadonlySet<string>) => string = nextId,
): { nodes: WorkflowNode[]; edges: WorkflowEdge[] } {
  const takenNodes = nodeIds(wf);
  const takenEdges = edgeIds(wf);
  const idMap = new Map<string, string>();
  const nodes = fragment.nodes.map((n) => {
    const id = next('n', takenNodes);
    takenNodes.add(id);
    idMap.set(n.id, id);
    return { ...n, id, params: structuredClone(n.params), position: { x: n.position.x + offset.x, y: n.position.y + offset.y } };
  });
  const edges: WorkflowEdge[] = [];
  for (const e of fragment.edges) {
    const source = idMap.get(e.source.node);
    const target = idMap.get(e.target.node);
    if (!source || !target) continue;
    const id = next('e', takenEdges);
    takenEdges.add(id);
    edges.push({ ...e, id, source: { node: source, port: e.source.port }, target: { node: target, port: e.target.port } });
  }
  return { nodes, edges };
}
