import { getViewportForBounds, type FitViewOptions, type ReactFlowInstance, type Rect, type Viewport } from '@xyflow/react';
import type { StudioState } from '../../store/store-types';
import { DETAIL_ZOOM } from './zoom-level';

/** Below this zoom node text is too small to read (where nodes turn into outlines). */
export const READABLE_ZOOM = DETAIL_ZOOM;

/** Room kept around a fitted graph on each side, in % of the pane (what fitView's padding 0.15 gave). */
const EDGE_PERCENT = 6.5;
/**
 * Room kept free at the bottom: the minimap (React Flow's 150 px, 15 px off the edge) sits in the
 * bottom-right corner, and a node fitted under it would be hidden. Graphs here run left to right,
 * so they are mostly limited by the width and this room costs little zoom.
 */
export const MINIMAP_ROOM_PX = 180;

/** The padding every fit of the canvas uses (see {@link MINIMAP_ROOM_PX}). */
export const FIT_PADDING: NonNullable<FitViewOptions['padding']> = { x: `${EDGE_PERCENT}%`, top: `${EDGE_PERCENT}%`, bottom: `${MINIMAP_ROOM_PX}px` };

const DURATION_MS = 200;

type Flow = Pick<ReactFlowInstance, 'fitView' | 'getNodesBounds'>;

interface Size {
  width: number;
  height: number;
}

/** The nodes a fit shows: see {@link fitReadable}. */
export function fitChoice(
  s: Pick<StudioState, 'selectedNodes' | 'workflow'>,
  fitsReadably: (ids: readonly string[]) => boolean,
  lastEdited: string | undefined,
): { ids: string[] | undefined; readable: boolean } {
  const all = s.workflow.nodes.map((n) => n.id);
  const ids = [...(s.workflow.groups ?? []).map((g) => g.id), ...all, ...(s.workflow.notes ?? []).map((n) => n.id)];
  const selected = ids.filter((id) => s.selectedNodes.has(id));
  if (selected.length) return { ids: selected, readable: false };
  if (ids.length === 0 || fitsReadably(ids) || lastEdited === undefined || !all.includes(lastEdited)) return { ids: undefined, readable: false };
  // A big graph: where the user last worked, with what it is linked to, at a readable zoom.
  const near = new Set([lastEdited]);
  for (const e of s.workflow.edges) {
    if (e.source.node === lastEdited) near.add(e.target.node);
    if (e.target.node === lastEdited) near.add(e.source.node);
  }
  return { ids: [...near], readable: true };
}

/**
 * Fit view that leaves nodes readable. The selection, when there is one, is fitted (the user
 * said what to look at). Otherwise the whole graph when it fits at a zoom where its text can be
 * read; a graph too big for that is fitted around the node edited last and its neighbours, never
 * below that zoom, because a fit that makes every node a speck shows nothing to work on (the
 * minimap and {@link fitAll} still show the whole graph). Never above 100 %.
 */
export function fitReadable(
  flow: Flow,
  s: Pick<StudioState, 'selectedNodes' | 'workflow'>,
  pane: { width: number; height: number },
  lastEdited?: string,
): void {
  const fitsReadably = (ids: readonly string[]) => {
    const bounds = flow.getNodesBounds([...ids]);
    return getViewportForBounds(bounds, pane.width, pane.height, 0.01, 1, FIT_PADDING).zoom >= READABLE_ZOOM;
  };
  const { ids, readable } = fitChoice(s, fitsReadably, lastEdited);
  void flow.fitView({
    padding: FIT_PADDING,
    maxZoom: 1,
    duration: DURATION_MS,
    ...(ids ? { nodes: ids.map((id) => ({ id })) } : {}),
    ...(readable ? { minZoom: READABLE_ZOOM } : {}),
  });
}

/** One axis of {@link openingViewport}: centred in the room between the paddings when it fits, else from its start. */
function place(start: number, size: number, zoom: number, pane: number, before: number, after: number): number {
  const room = pane - before - after;
  const drawn = size * zoom;
  return drawn <= room ? before + (room - drawn) / 2 - start * zoom : before - start * zoom;
}

/**
 * The view of a graph just opened (a file, template, History entry, saved workflow): the whole
 * graph when it fits at a zoom where its nodes are drawn in full, as fitView would. A graph too
 * big for that opens at the readable zoom from its top-left corner instead, where its inputs
 * are (graphs run left to right): a ComfyUI import's Load Image nodes must be given their files,
 * and at a lower zoom nodes are outlines without widgets, so there would be nothing to act on
 * until the user zoomed in. The rest is a pan away, and the minimap shows all of it.
 */
export function openingViewport(bounds: Rect, pane: Size): Viewport {
  const whole = getViewportForBounds(bounds, pane.width, pane.height, 0.01, 1, FIT_PADDING);
  if (whole.zoom >= READABLE_ZOOM) return whole;
  const zoom = READABLE_ZOOM;
  // As React Flow turns FIT_PADDING into pixels.
  const x = Math.floor((pane.width * EDGE_PERCENT) / 100);
  const top = Math.floor((pane.height * EDGE_PERCENT) / 100);
  return {
    x: place(bounds.x, bounds.width, zoom, pane.width, x, x),
    y: place(bounds.y, bounds.height, zoom, pane.height, top, MINIMAP_ROOM_PX),
    zoom,
  };
}

/** Shows a graph just opened: see {@link openingViewport}. */
export function fitOpened(flow: Pick<ReactFlowInstance, 'getNodes' | 'getNodesBounds' | 'setViewport'>, pane: Size): void {
  const nodes = flow.getNodes();
  if (nodes.length === 0) return;
  void flow.setViewport(openingViewport(flow.getNodesBounds(nodes), pane), { duration: DURATION_MS });
}

/** The whole graph in view, however small its nodes get (Shift+., "Show the whole graph"); never above 100 %. */
export function fitAll(flow: Pick<ReactFlowInstance, 'fitView'>): void {
  void flow.fitView({ padding: FIT_PADDING, maxZoom: 1, duration: DURATION_MS });
}
