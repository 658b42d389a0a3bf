/**
 * Undo grouping. Every graph edit is tagged with a group key before it is committed; consecutive
 * edits with the same key coalesce into one undo step:
 * - `drag:*` keys stay open until {@link HistoryGrouper.close} (a whole drag is one step);
 * - other keys (e.g. `param:<node>:<name>` while typing) coalesce while edits keep coming within
 *   `windowMs` of each other (a burst of typing is one step);
 * - `null` never coalesces (adding a node, linking, pasting: each its own step).
 */
export interface HistoryGrouper {
  /** Tags the next committed graph change. */
  tag(key: string | null): void;
  /** Ends the open group, so the next edit starts a new step (drag end, blur, undo). */
  close(): void;
  /** Called once per committed change: whether it starts a new undo step. */
  shouldRecord(): boolean;
}

export function createHistoryGrouper(now: () => number, windowMs = 1000): HistoryGrouper {
  let pending: string | null = null;
  let lastKey: string | null = null;
  let lastAt = Number.NEGATIVE_INFINITY;
  return {
    tag(key) {
      pending = key;
    },
    close() {
      lastKey = null;
    },
    shouldRecord() {
      const key = pending;
      pending = null;
      const t = now();
      const open = key !== null && key === lastKey && (key.startsWith('drag') || t - lastAt <= windowMs);
      lastKey = key;
      lastAt = t;
      return !open;
    },
  };
}
