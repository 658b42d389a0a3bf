import { describe, expect, it } from 'vitest';
import { MINIMAP_ROOM_PX, openingViewport, READABLE_ZOOM } from '../../app/ui/canvas/readable-fit';

const pane = { width: 1000, height: 800 };
// What FIT_PADDING (6.5 % a side, the minimap's room at the bottom) comes to on this pane.
const side = 65;
const top = 52;

/** Where the graph's box lands on screen under a viewport. */
const onScreen = (b: { x: number; y: number; width: number; height: number }, v: { x: number; y: number; zoom: number }) => ({
  left: v.x + b.x * v.zoom,
  top: v.y + b.y * v.zoom,
  right: v.x + (b.x + b.width) * v.zoom,
  bottom: v.y + (b.y + b.height) * v.zoom,
});

describe('openingViewport', () => {
  it('shows the whole graph, at most at 100 %, when it fits readably', () => {
    const bounds = { x: 0, y: 0, width: 800, height: 300 };
    const v = openingViewport(bounds, pane);
    expect(v.zoom).toBe(1);
    const box = onScreen(bounds, v);
    expect(box.left).toBeCloseTo(100);
    expect(box.right).toBeCloseTo(900);
  });

  it('keeps the minimap’s room at the bottom free when the graph is limited by the height', () => {
    const bounds = { x: 0, y: 0, width: 400, height: 1000 };
    const v = openingViewport(bounds, pane);
    expect(v.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    const box = onScreen(bounds, v);
    expect(box.bottom).toBeLessThanOrEqual(pane.height - MINIMAP_ROOM_PX + 1e-6);
    expect(box.top).toBeGreaterThanOrEqual(top - 1e-6);
  });

  it('opens a graph too wide to read whole at the readable zoom from its left edge, centred in the height left', () => {
    const bounds = { x: 100, y: 50, width: 2400, height: 600 };
    const v = openingViewport(bounds, pane);
    expect(v.zoom).toBe(READABLE_ZOOM);
    const box = onScreen(bounds, v);
    expect(box.left).toBeCloseTo(side);
    expect(box.right).toBeGreaterThan(pane.width);
    const room = pane.height - top - MINIMAP_ROOM_PX;
    expect(box.top - top).toBeCloseTo((room - (box.bottom - box.top)) / 2);
  });

  it('opens a graph too big both ways at the readable zoom from its top-left corner', () => {
    const bounds = { x: -300, y: -200, width: 4000, height: 3000 };
    const v = openingViewport(bounds, pane);
    expect(v.zoom).toBe(READABLE_ZOOM);
    const box = onScreen(bounds, v);
    expect(box.left).toBeCloseTo(side);
    expect(box.top).toBeCloseTo(top);
  });
});
