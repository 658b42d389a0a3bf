import type { WorkflowNode } from '../../graph/workflow-schema';

/** More nodes changing at once than this is an open, paste or layout, not an edit of one place. */
const MANY = 8;

/**
 * The node edited last, from successive node arrays (edits keep untouched node objects, so the
 * changed ones are those whose identity changed). An open, paste or layout touching many nodes
 * forgets it: there is no one place the user was working on.
 */
export function createLastEdited() {
  let prev: readonly WorkflowNode[] | undefined;
  let last: string | undefined;
  return {
    update(nodes: readonly WorkflowNode[]): string | undefined {
      if (prev === nodes) return last;
      if (prev) {
        const before = new Map(prev.map((n) => [n.id, n]));
        const changed = nodes.filter((n) => before.get(n.id) !== n);
        if (changed.length > MANY) last = undefined;
        else if (changed.length) last = changed[changed.length - 1]!.id;
        if (last !== undefined && !nodes.some((n) => n.id === last)) last = undefined;
      }
      prev = nodes;
      return last;
    },
  };
}
