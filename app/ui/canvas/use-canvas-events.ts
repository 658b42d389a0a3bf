import type { Connection } from '@xyflow/react';
import { useCallback, useMemo, useRef, type MouseEvent } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import type { StudioStore } from '../../store/create-store';
import type { CanvasUiState, MenuTarget } from './canvas-ui';
import type { CanvasFlowNode, FlowEdge } from './flow-derive';

const portRef = (node: string | null, handle: string | null | undefined) => ({ node: node ?? '', port: handle ?? '' });

/** The menu a right-click on a canvas item opens. */
const menuTargetOf = (n: CanvasFlowNode): MenuTarget => ({ kind: n.type === 'graph' ? 'node' : n.type === 'note' ? 'note' : 'group', id: n.id });

/** React Flow's right-click handlers, opening the canvas context menu (canvas-ui.ts) instead of the browser's. */
export function useMenuHandlers(ui: StoreApi<CanvasUiState>) {
  const open = useCallback(
    (e: MouseEvent | globalThis.MouseEvent, target: MenuTarget) => {
      e.preventDefault();
      ui.getState().openMenu({ target, screen: { x: e.clientX, y: e.clientY }, returnFocus: null });
    },
    [ui],
  );
  return useMemo(
    () => ({
      onNodeContextMenu: (e: MouseEvent, n: CanvasFlowNode) => open(e, menuTargetOf(n)),
      onSelectionContextMenu: (e: MouseEvent, picked: CanvasFlowNode[]) => {
        if (picked[0]) open(e, menuTargetOf(picked[0]));
      },
      onEdgeContextMenu: (e: MouseEvent, edge: FlowEdge) => open(e, { kind: 'edge', id: edge.id }),
      onPaneContextMenu: (e: MouseEvent | globalThis.MouseEvent) => open(e, { kind: 'pane' }),
    }),
    [open],
  );
}

/**
 * Dragging a link off its input (React Flow's reconnect): dropped on another input, the link
 * moves there (checked like a new link; an input that refuses it leaves it where it was, with
 * the reason); dropped on empty canvas, it is removed. Each is one undo step.
 */
export function useReconnect(store: StudioStore) {
  const reconnected = useRef(false);
  const active = useRef(false);
  const handlers = useMemo(
    () => ({
      onReconnectStart: () => {
        reconnected.current = false;
        active.current = true;
        store.getState().setConnectionHint(null);
      },
      onReconnect: (old: FlowEdge, c: Connection) => {
        reconnected.current = true;
        const s = store.getState();
        const result = s.reconnect(old.id, { source: portRef(c.source, c.sourceHandle), target: portRef(c.target, c.targetHandle) });
        if (!result.ok) s.notify(result.message, 'error');
      },
      onReconnectEnd: (_e: unknown, edge: FlowEdge, _side: unknown, state: { toHandle: unknown }) => {
        const s = store.getState();
        const refusal = s.connectionHint;
        s.setConnectionHint(null);
        // Dropped on an input that refused it: the link stays, and the reason is said.
        if (!reconnected.current && state.toHandle) {
          if (refusal) s.notify(refusal, 'error');
        } else if (!reconnected.current) s.reconnect(edge.id, null);
        reconnected.current = false;
        // React Flow also ends the gesture as a connection (onConnectEnd), in the same turn.
        queueMicrotask(() => (active.current = false));
      },
    }),
    [store],
  );
  return { handlers, active };
}
