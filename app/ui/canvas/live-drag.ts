import { useCallback, useMemo, useRef, useState } from 'react';
import type { XY } from '../../store/graph-ops';
import type { CanvasFlowNode } from './flow-derive';

/** Where the nodes being dragged are now, by node id. */
export type LivePositions = ReadonlyMap<string, XY>;

const NONE: LivePositions = new Map();

/**
 * The flow nodes with the dragged ones at their live positions. Every other node keeps its
 * object, so React Flow reuses its internals and re-renders only the dragged nodes; with no
 * drag going on the array itself is returned.
 */
export function withLivePositions<N extends CanvasFlowNode>(nodes: N[], live: LivePositions): N[] {
  if (live.size === 0) return nodes;
  return nodes.map((n) => {
    const p = live.get(n.id);
    return p && (p.x !== n.position.x || p.y !== n.position.y) ? { ...n, position: p } : n;
  });
}

export interface LiveDrag<N extends CanvasFlowNode> {
  /** The nodes to hand React Flow: the derived ones, dragged ones at their live positions. */
  nodes: N[];
  /** Position changes from React Flow: held while `dragging`, committed (with any held ones) when not. */
  move(positions: ReadonlyMap<string, XY>, dragging: boolean): void;
  /** Commits whatever is still held (a drag that ended without a last position change). */
  end(): void;
}

/**
 * Positions owned by the canvas while a drag is going on. A drag frame touches neither the
 * workflow nor the store (whose every update runs the selectors of every mounted node): only
 * the dragged nodes' positions change here, and `commit` gets them once, when the drag ends,
 * as one undo step and one autosave.
 */
export function useLiveDrag<N extends CanvasFlowNode>(derived: N[], commit: (positions: LivePositions) => void): LiveDrag<N> {
  const [live, setLive] = useState(NONE);
  // Read by the handlers between renders: React Flow reports several changes per frame.
  const held = useRef(NONE);
  const nodes = useMemo(() => withLivePositions(derived, live), [derived, live]);

  const release = useCallback(() => {
    const positions = held.current;
    held.current = NONE;
    setLive(NONE);
    if (positions.size) commit(positions);
  }, [commit]);

  const move = useCallback(
    (positions: ReadonlyMap<string, XY>, dragging: boolean) => {
      const next = new Map(held.current);
      for (const [id, p] of positions) next.set(id, { x: p.x, y: p.y });
      held.current = next;
      if (dragging) setLive(next);
      else release();
    },
    [release],
  );

  return { nodes, move, end: release };
}
