import { useOnViewportChange, useReactFlow, useStoreApi } from '@xyflow/react';
import { useEffect } from 'react';
import { useActiveTabId, useStudioStore, useTabs } from '../studio-context';

/**
 * Each tab keeps its own view: where the canvas looked is written down whenever a pan or zoom
 * ends, and put back when the tab is shown again (or after a reload) instead of fitting the
 * graph anew. Rendered after the canvas, so React Flow is ready when it restores.
 */
export function ViewportKeeper() {
  const tabs = useTabs();
  const activeId = useActiveTabId();
  const store = useStudioStore();
  const flow = useReactFlow();
  const rf = useStoreApi();
  useEffect(() => {
    const viewport = tabs?.state.getState().tabs.find((t) => t.id === activeId)?.viewport;
    if (!viewport) return;
    // The canvas fits the graph when it mounts (on init, and for a fit asked before): this tab's own view wins.
    rf.setState({ fitViewQueued: false });
    if (store.getState().fitViewRequest) store.setState({ fitViewRequest: 0 });
    void flow.setViewport(viewport);
  }, [tabs, activeId, store, flow, rf]);
  useOnViewportChange({
    onEnd: (viewport) => tabs?.setViewport(activeId, { x: viewport.x, y: viewport.y, zoom: viewport.zoom }),
  });
  return null;
}
