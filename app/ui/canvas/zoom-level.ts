import { createContext, useContext } from 'react';
import type { RememberedGeometry } from './node-geometry';

/**
 * Below this zoom node text is under 6 px: nodes are drawn as outlines (CanvasNode.tsx) and
 * widgets of nodes still drawn in full are not painted (canvas.css).
 */
export const DETAIL_ZOOM = 0.5;

/** What every node needs to know about the canvas, provided once by the Canvas (it changes when the zoom crosses {@link DETAIL_ZOOM}). */
export interface CanvasDetail {
  /** Whether the canvas is zoomed out below {@link DETAIL_ZOOM}. */
  zoomedOut: boolean;
  /** Node geometry remembered from the last visit (sizes of nodes not drawn in full yet in this page). */
  remembered: RememberedGeometry;
}

export const CanvasDetailContext = createContext<CanvasDetail>({ zoomedOut: false, remembered: new Map() });

export const useCanvasDetail = (): CanvasDetail => useContext(CanvasDetailContext);
