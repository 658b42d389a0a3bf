import { describe, expect, it } from 'vitest';
import type { WorkflowNode } from '../../app/graph/workflow-schema';
import { CASCADE_STEP, placeInView, type ViewGeometry } from '../../app/ui/palette/place-in-view';

/** A 950×834 pane at (200, 66) at zoom 1 with the flow origin at the pane's corner, minimap bottom-right. */
const view = (over: Partial<ViewGeometry> = {}): ViewGeometry => ({
  pane: { x: 200, y: 66, width: 950, height: 834 },
  covered: [{ x: 933, y: 733, width: 202, height: 152 }],
  zoom: 1,
  toFlow: (p) => ({ x: p.x - 200, y: p.y - 66 }),
  ...over,
});
const size = { width: 300, height: 240 };
const at = (x: number, y: number) => ({ id: `n${x}-${y}`, kind: 'k', kindVersion: 1, params: {}, position: { x, y } }) as WorkflowNode;

describe('placeInView', () => {
  it('centres a new node in the pane', () => {
    expect(placeInView(view(), [], size)).toEqual({ x: (950 - 300) / 2, y: (834 - 240) / 2 });
  });

  it('cascades repeated placements instead of stacking them on one spot (issue 9, item 6)', () => {
    const nodes: WorkflowNode[] = [];
    for (let i = 0; i < 4; i++) nodes.push(at(placeInView(view(), nodes, size).x, placeInView(view(), nodes, size).y));
    const first = nodes[0]!.position;
    expect(nodes.map((n) => n.position)).toEqual([0, 1, 2, 3].map((k) => ({ x: first.x + k * CASCADE_STEP, y: first.y + k * CASCADE_STEP })));
  });

  it('keeps a node that would not fit at the centre inside the pane and clear of the minimap', () => {
    // Zoomed in: the box is large on screen; the pane is small.
    const v = view({ pane: { x: 200, y: 66, width: 700, height: 500 }, covered: [{ x: 690, y: 356, width: 202, height: 200 }], zoom: 1.5 });
    const p = placeInView(v, [], size);
    const screen = { x: p.x + 200, y: p.y + 66, width: size.width * 1.5, height: size.height * 1.5 };
    expect(screen.x).toBeGreaterThanOrEqual(200);
    expect(screen.y).toBeGreaterThanOrEqual(66);
    const minimap = v.covered[0]!;
    const overlapsMinimap =
      screen.x < minimap.x + minimap.width &&
      minimap.x < screen.x + screen.width &&
      screen.y < minimap.y + minimap.height &&
      minimap.y < screen.y + screen.height;
    expect(overlapsMinimap).toBe(false);
  });
});
