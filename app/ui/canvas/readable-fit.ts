import { getViewportForBounds, type ReactFlowInstance } from '@xyflow/react';
import type { StudioState } from '../../store/store-types';
import { DETAIL_ZOOM } from './zoom-level';

/** Below this zoom node text is too small to read (where nodes turn into outlines). */
export const READABLE_ZOOM = DETAIL_ZOOM;

const PADDING = 0.15;
const DURATION_MS = 200;

type Flow = Pick<ReactFlowInstance, 'fitView' | 'getNodesBounds'>;

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
 * minimap and React Flow's own fit button still show the whole graph). Never above 100 %.
 */
export function fitReadable(
  flow: Flow,
  s: Pick<StudioState, 'selectedNodes' | 'workflow'>,
  pane: { width: number; height: number },
  lastEdited?: string,
): void {
  const fitsReadably = (ids: readonly string[]) => {
    const bounds = flow.getNodesBounds([...ids]);
    return getViewportForBounds(bounds, pane.width, pane.height, 0.01, 1, PADDING).zoom >= READABLE_ZOOM;
  };
  const { ids, readable } = fitChoice(s, fitsReadably, lastEdited);
  void flow.fitView({
    padding: PADDING,
    maxZoom: 1,
    duration: DURATION_MS,
    ...(ids ? { nodes: ids.map((id) => ({ id })) } : {}),
    ...(readable ? { minZoom: READABLE_ZOOM } : {}),
  });
}
