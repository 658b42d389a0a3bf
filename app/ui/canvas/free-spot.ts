import type { WorkflowNode } from '../../graph/workflow-schema';
import type { XY } from '../../store/graph-ops';
import type { Size } from '../../store/ui-slice';

const DEFAULT_SIZE: Size = { width: 280, height: 160 };
const GAP = 24;

/**
 * The first place at or below `start` (stepping down, then one column right) where a node of
 * `size` overlaps no existing node, so generated nodes do not land on top of others.
 */
export function freeSpot(nodes: readonly WorkflowNode[], sizes: ReadonlyMap<string, Size>, start: XY, size: Size = DEFAULT_SIZE): XY {
  const boxes = nodes.map((n) => ({ ...n.position, ...(sizes.get(n.id) ?? DEFAULT_SIZE) }));
  const hits = (p: XY) =>
    boxes.some((b) => p.x < b.x + b.width + GAP && p.x + size.width + GAP > b.x && p.y < b.y + b.height + GAP && p.y + size.height + GAP > b.y);
  for (let column = 0; column < 6; column++) {
    for (let row = 0; row < 40; row++) {
      const p = { x: start.x + column * (size.width + GAP * 2), y: start.y + row * 40 };
      if (!hits(p)) return p;
    }
  }
  return start;
}
