import { compareLinkOrder } from '../graph/links';
import type { Workflow, WorkflowEdge } from '../graph/workflow-schema';

/**
 * Pure edits of links beyond adding and removing: the merge order of a multiple input, and
 * moving one end of a link. Untouched edges keep their identity.
 */

/** The links into one input, in merge order. */
export function linksInto(wf: Workflow, node: string, port: string): WorkflowEdge[] {
  return wf.edges.filter((e) => e.target.node === node && e.target.port === port).sort(compareLinkOrder);
}

/** Renumbers the links into one input 0, 1, 2… in the given order (only edges whose number changes are replaced). */
function renumber(wf: Workflow, ordered: readonly WorkflowEdge[]): Workflow {
  const order = new Map(ordered.map((e, i) => [e.id, i] as const));
  let changed = false;
  const edges = wf.edges.map((e) => {
    const i = order.get(e.id);
    if (i === undefined || e.order === i) return e;
    changed = true;
    return { ...e, order: i };
  });
  return changed ? { ...wf, edges } : wf;
}

/**
 * Moves a link of a multiple input `by` places in its merge order (−1: earlier, +1: later),
 * clamped to the ends. The input's links are numbered 0…n−1 afterwards.
 */
export function moveInMergeOrder(wf: Workflow, edgeId: string, by: number): Workflow {
  const edge = wf.edges.find((e) => e.id === edgeId);
  if (!edge) return wf;
  const list = linksInto(wf, edge.target.node, edge.target.port);
  const from = list.findIndex((e) => e.id === edgeId);
  const to = Math.max(0, Math.min(list.length - 1, from + by));
  if (from === to) return wf;
  const ordered = list.slice();
  ordered.splice(to, 0, ...ordered.splice(from, 1));
  return renumber(wf, ordered);
}

/** Each link's place (1, 2, …) among the links of its multiple input, for links into inputs with two or more. */
export function mergePositions(edges: readonly WorkflowEdge[], multiple: (node: string, port: string) => boolean): Map<string, number> {
  const byInput = new Map<string, WorkflowEdge[]>();
  for (const e of edges) {
    const key = `${e.target.node}\u0000${e.target.port}`;
    const list = byInput.get(key);
    if (list) list.push(e);
    else byInput.set(key, [e]);
  }
  const out = new Map<string, number>();
  for (const list of byInput.values()) {
    if (list.length < 2 || !multiple(list[0]!.target.node, list[0]!.target.port)) continue;
    list.sort(compareLinkOrder).forEach((e, i) => out.set(e.id, i + 1));
  }
  return out;
}
