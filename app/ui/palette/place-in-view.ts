import type { WorkflowNode } from '../../graph/workflow-schema';
import type { XY } from '../../store/graph-ops';
import type { Size } from '../../store/ui-slice';

/** A rectangle in screen pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ViewGeometry {
  /** The canvas pane on screen. */
  pane: Rect;
  /** What covers parts of the pane (minimap, zoom controls): a new node is not put under them. */
  covered: readonly Rect[];
  zoom: number;
  toFlow(screen: XY): XY;
}

/** How far each repeated placement steps down and right, in flow units (a visible cascade). */
export const CASCADE_STEP = 36;
const MARGIN = 16;
const MAX_STEPS = 24;

const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/**
 * Where a node added from the palette goes (its top-left, in flow coordinates): centred in the
 * visible pane, moved clear of the minimap and controls, and stepped down-right past every node
 * already sitting at that spot, so repeated clicks cascade instead of stacking. The box is kept
 * inside the pane while it fits.
 */
export function placeInView(view: ViewGeometry, nodes: readonly WorkflowNode[], size: Size): XY {
  const w = size.width * view.zoom;
  const h = size.height * view.zoom;
  const { pane } = view;
  const clamp = (v: number, lo: number, hi: number) => (hi < lo ? lo : Math.min(Math.max(v, lo), hi));
  const fit = (x: number, y: number): Rect => ({
    x: clamp(x, pane.x + MARGIN, pane.x + pane.width - MARGIN - w),
    y: clamp(y, pane.y + MARGIN, pane.y + pane.height - MARGIN - h),
    width: w,
    height: h,
  });
  /** Moves a box out of whatever covers it: up above it, else left of it. */
  const uncover = (box: Rect): Rect => {
    let b = box;
    for (const c of view.covered) {
      if (!overlaps(b, c)) continue;
      const above = fit(b.x, c.y - MARGIN - h);
      b = overlaps(above, c) ? fit(c.x - MARGIN - w, b.y) : above;
    }
    return b;
  };
  const start = uncover(fit(pane.x + (pane.width - w) / 2, pane.y + (pane.height - h) / 2));
  const origin = view.toFlow({ x: start.x, y: start.y });
  const taken = (p: XY) => nodes.some((n) => Math.abs(n.position.x - p.x) < CASCADE_STEP / 2 && Math.abs(n.position.y - p.y) < CASCADE_STEP / 2);
  for (let step = 0; step < MAX_STEPS; step++) {
    const p = { x: origin.x + step * CASCADE_STEP, y: origin.y + step * CASCADE_STEP };
    if (!taken(p)) return p;
  }
  return origin;
}
