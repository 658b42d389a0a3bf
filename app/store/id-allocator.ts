import type { Workflow } from '../graph/workflow-schema';

/**
 * Node and edge ids for new elements. Ids stay short and readable (`n12`, `e7`), but a number is
 * never issued twice in one editor session, even across documents: a node of a new graph never
 * shares its id with a node of an earlier one, whose run state, results or paid jobs might
 * otherwise be taken for its own.
 */
export interface IdAllocator {
  /** An id `<prefix><n>` that is not in `taken`, with `n` above every number issued or seen for `prefix`. */
  next(prefix: string, taken: ReadonlySet<string>): string;
  /** Raises the counters past the ids of a workflow that was opened or restored. */
  see(workflow: Pick<Workflow, 'nodes' | 'edges'>): void;
}

const NUMBERED = /^([A-Za-z]+)(\d{1,9})$/;

export function createIdAllocator(): IdAllocator {
  const highest = new Map<string, number>();
  const raise = (id: string) => {
    const m = NUMBERED.exec(id);
    if (m) highest.set(m[1]!, Math.max(highest.get(m[1]!) ?? 0, Number(m[2])));
  };
  return {
    next(prefix, taken) {
      let n = (highest.get(prefix) ?? 0) + 1;
      // Ids like these can only be taken when a file used them: at most `taken.size` steps.
      while (taken.has(`${prefix}${n}`)) n++;
      highest.set(prefix, n);
      return `${prefix}${n}`;
    },
    see(workflow) {
      for (const node of workflow.nodes) raise(node.id);
      for (const edge of workflow.edges) raise(edge.id);
    },
  };
}
