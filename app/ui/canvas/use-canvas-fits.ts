import { useReactFlow } from '@xyflow/react';
import { useCallback, useEffect, useMemo, type RefObject } from 'react';
import type { StudioStore } from '../../store/create-store';
import { useStudio } from '../studio-context';
import { createLastEdited } from './last-edited';
import { fitAll, fitOpened, fitReadable } from './readable-fit';

/**
 * The canvas's fits, asked for through the store (toolbar, keys, menus, opening a file): the
 * readable fit (Fit, `.`), the whole graph (Shift+.), and the view of a graph just opened.
 * Returns the readable fit, for the controls and the canvas menu.
 */
export function useCanvasFits(store: StudioStore, canvas: RefObject<HTMLDivElement | null>): () => void {
  const flow = useReactFlow();
  const lastEdited = useMemo(createLastEdited, []);
  useEffect(() => store.subscribe((s) => void lastEdited.update(s.workflow.nodes)), [store, lastEdited]);
  const pane = useCallback(() => canvas.current?.getBoundingClientRect() ?? { width: window.innerWidth, height: window.innerHeight }, [canvas]);
  const fit = useCallback(() => {
    const s = store.getState();
    fitReadable(flow, s, pane(), lastEdited.update(s.workflow.nodes));
  }, [flow, store, lastEdited, pane]);

  const readableFitRequest = useStudio((s) => s.readableFitRequest);
  useEffect(() => {
    if (readableFitRequest) fit();
  }, [readableFitRequest, fit]);
  const fitAllRequest = useStudio((s) => s.fitAllRequest);
  useEffect(() => {
    if (fitAllRequest) fitAll(flow);
  }, [fitAllRequest, flow]);
  const openedRequest = useStudio((s) => s.fitViewRequest);
  useEffect(() => {
    if (!openedRequest) return;
    // Wait a frame or two so new nodes are measured before fitting them.
    const timer = setTimeout(() => fitOpened(flow, pane()), 80);
    return () => clearTimeout(timer);
  }, [openedRequest, flow, pane]);
  return fit;
}
