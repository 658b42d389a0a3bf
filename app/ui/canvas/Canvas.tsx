import {
  Background,
  BackgroundVariant,
  ControlButton,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  useStore,
  type Connection,
  type EdgeChange,
  type IsValidConnection,
  type NodeChange,
  type OnConnectEnd,
} from '@xyflow/react';
import { useCallback, useMemo, useRef, useState, type DragEvent, type MouseEvent } from 'react';
import { EmptyState } from '../chrome/EmptyState';
import { NoticeReport } from '../chrome/NoticeReport';
import { dropFiles } from '../chrome/open-file';
import { KIND_MIME } from '../palette/Palette';
import { useRegistry, useServices, useStudio, useStudioStore } from '../studio-context';
import { CanvasMenuSlot } from './CanvasMenuSlot';
import { CanvasUiContext, createCanvasUi } from './canvas-ui';
import { ConnectionLine } from './ConnectionLine';
import { createFlowDeriver, type CanvasFlowNode, type FlowEdge } from './flow-derive';
import { useLiveDrag, type LivePositions } from './live-drag';
import { edgeTypes, nodeTypes } from './node-types';
import { useRememberedRunPanel } from './panel-memory';
import { FIT_PADDING, fitAll } from './readable-fit';
import { sortChanges } from './sort-changes';
import { useMenuHandlers, useReconnect } from './use-canvas-events';
import { useCanvasFits } from './use-canvas-fits';
import { useCanvasKeys } from './use-canvas-keys';
import { useNodeGeometry } from './use-node-geometry';
import { CanvasDetailContext, DETAIL_ZOOM } from './zoom-level';
import './canvas.css';
import './canvas-items.css';

const isPane = (target: EventTarget | null): boolean => target instanceof Element && target.classList.contains('react-flow__pane');

const portRef = (node: string | null, handle: string | null | undefined) => ({ node: node ?? '', port: handle ?? '' });

// Module constants: a new object on a render would reach React Flow's store as a change (one
// more update of every node, link and handle subscribed to it) on every drag frame.
const FIT_VIEW_OPTIONS = { padding: FIT_PADDING, maxZoom: 1 };
const PRO_OPTIONS = { hideAttribution: true };
const SELECTION_KEYS = ['Shift', 'Control'];
const MULTI_SELECTION_KEYS = ['Meta', 'Control'];

const miniMapColor = (n: CanvasFlowNode): string => {
  if (n.type !== 'graph') return n.type === 'note' ? '#8a7a3c' : 'rgba(120, 130, 150, 0.25)';
  const kind = n.data.node.kind;
  if (kind.startsWith('seedream')) return '#b78cff';
  if (kind === 'image.load' || kind === 'text.prompt') return '#5fa8ff';
  if (kind === 'image.preview' || kind === 'image.save') return '#5fd38d';
  return '#c9a94f';
};

/**
 * The graph canvas. React Flow runs controlled: nodes and edges are derived from the workflow
 * (reusing objects of unchanged nodes), and every change React Flow reports becomes a store
 * action, so undo, autosave and the run see one source of truth. The one exception is a drag:
 * its positions stay in the canvas (live-drag.ts) until it ends, then become one move. Only the
 * nodes and links in view are mounted, so a large graph costs what is on screen (on open too:
 * node geometry remembered from the last visit spares drawing nodes out of view just to measure
 * them, use-node-geometry.ts); zoomed out, nodes are drawn as outlines (CanvasNode.tsx).
 */
export function Canvas() {
  const store = useStudioStore();
  const registry = useRegistry();
  const services = useServices();
  const flow = useReactFlow();
  const [ui] = useState(createCanvasUi);
  const ref = useRef<HTMLDivElement>(null);
  const geometry = useNodeGeometry(store);
  const deriver = useMemo(() => createFlowDeriver(registry, geometry.remembered), [registry, geometry.remembered]);
  const graphNodes = useStudio((s) => deriver.nodes(s.workflow.nodes, s.selectedNodes, s.nodeSizes));
  const items = useStudio((s) => deriver.items(s.workflow.notes, s.workflow.groups, s.selectedNodes));
  // Groups first (drawn under everything), notes last; without either, the graph's own array.
  const derived = useMemo<CanvasFlowNode[]>(
    () => (items.length ? [...items.filter((i) => i.type === 'frame'), ...graphNodes, ...items.filter((i) => i.type === 'note')] : graphNodes),
    [items, graphNodes],
  );
  const commitDrag = useCallback(
    (positions: LivePositions) => {
      const s = store.getState();
      // One undo step, and the autosave writes at once (it waits for the end of a drag). What
      // was dropped into a group's frame joins it; what was dragged out leaves.
      s.moveNodes(positions, true, { regroup: true });
      s.endDrag();
    },
    [store],
  );
  const drag = useLiveDrag(derived, commitDrag);
  const nodes = drag.nodes;
  const edges = useStudio((s) => deriver.edges(s.workflow.edges, s.workflow.nodes, s.selectedEdges));
  const zoomedOut = useStore((s) => s.transform[2] < DETAIL_ZOOM);
  const detail = useMemo(() => ({ zoomedOut, remembered: geometry.remembered }), [zoomedOut, geometry.remembered]);
  useRememberedRunPanel(store);
  const canvasEl = useCallback(() => ref.current, []);
  useCanvasKeys(store, ui, canvasEl);

  const fit = useCanvasFits(store, ref);

  const { move: moveLive, end: endLive } = drag;
  const { measured } = geometry;
  const onConnectStart = useCallback(() => store.getState().setConnectionHint(null), [store]);

  const onNodesChange = useCallback(
    (changes: NodeChange<CanvasFlowNode>[]) => {
      const s = store.getState();
      const sorted = sortChanges(changes, s.workflow);
      if (sorted.sizes.size) {
        s.setNodeSizes(sorted.sizes);
        measured();
      }
      if (sorted.selection.size) s.patchSelection({ nodes: sorted.selection });
      for (const [id, r] of sorted.resized) s.resizeItem(id, r.size, r.resizing, r.position);
      // React Flow ends a drag with one more position change marked not dragging: that one
      // commits the drag (keyboard moves, never dragging, commit at once).
      if (sorted.positions.size) moveLive(sorted.positions, sorted.dragging);
    },
    [store, moveLive, measured],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<FlowEdge>[]) => {
      const selection = new Map<string, boolean>();
      for (const c of changes) if (c.type === 'select') selection.set(c.id, c.selected);
      if (selection.size) store.getState().patchSelection({ edges: selection });
    },
    [store],
  );

  const isValidConnection: IsValidConnection<FlowEdge> = useCallback(
    (c) => {
      const s = store.getState();
      const check = s.checkConnection(portRef(c.source, c.sourceHandle), portRef(c.target, c.targetHandle));
      s.setConnectionHint(check.ok ? null : check.message);
      return check.ok;
    },
    [store],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      const s = store.getState();
      const result = s.connect(portRef(c.source, c.sourceHandle), portRef(c.target, c.targetHandle));
      if (!result.ok) s.notify(result.message, 'error');
    },
    [store],
  );

  const menus = useMenuHandlers(ui);
  const relink = useReconnect(store);
  const reconnecting = relink.active;
  const onConnectEnd: OnConnectEnd = useCallback(
    (event, state) => {
      const s = store.getState();
      s.setConnectionHint(null);
      // A link dragged off its input and dropped on the canvas is removed (useReconnect), not completed.
      if (reconnecting.current || state.isValid || state.toHandle || !state.fromHandle || !isPane(event.target)) return;
      const point = 'changedTouches' in event ? event.changedTouches[0] : event;
      if (!point) return;
      const screen = { x: point.clientX, y: point.clientY };
      const from = state.fromHandle;
      s.openSearch({
        screen,
        flow: flow.screenToFlowPosition(screen),
        linkFrom: { node: from.nodeId, port: from.id ?? '', side: from.type },
      });
    },
    [store, flow, reconnecting],
  );

  const onDragStop = useCallback(() => {
    endLive();
    store.getState().endDrag();
  }, [store, endLive]);

  const onDoubleClick = useCallback(
    (e: MouseEvent) => {
      if (!isPane(e.target)) return;
      const screen = { x: e.clientX, y: e.clientY };
      store.getState().openSearch({ screen, flow: flow.screenToFlowPosition(screen) });
    },
    [store, flow],
  );

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(KIND_MIME) || e.dataTransfer.types.includes('Files')) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    }
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const at = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      const kind = e.dataTransfer.getData(KIND_MIME);
      if (kind) {
        e.preventDefault();
        const s = store.getState();
        s.setSelection([s.addNode(kind, at)]);
        return;
      }
      const files = [...e.dataTransfer.files];
      if (files.length) {
        e.preventDefault();
        // Workflow files and PNGs saved with their workflow open the graph; other images become Load Image nodes.
        void dropFiles(store, services, files, at);
      }
    },
    [store, services, flow],
  );

  return (
    <div
      ref={ref}
      className={zoomedOut ? 'canvas zoomed-out' : 'canvas'}
      data-testid="canvas"
      onDoubleClick={onDoubleClick}
      onDragOver={onDragOver}
      onDrop={onDrop}
    >
      <CanvasUiContext value={ui}>
        <CanvasDetailContext value={detail}>
          <ReactFlow<CanvasFlowNode, FlowEdge>
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            {...menus}
            {...relink.handlers}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            onConnectStart={onConnectStart}
            onConnectEnd={onConnectEnd}
            isValidConnection={isValidConnection}
            onNodeDragStop={onDragStop}
            onSelectionDragStop={onDragStop}
            connectionLineComponent={ConnectionLine}
            deleteKeyCode={null}
            selectionKeyCode={SELECTION_KEYS}
            multiSelectionKeyCode={MULTI_SELECTION_KEYS}
            zoomOnDoubleClick={false}
            minZoom={0.1}
            maxZoom={2}
            fitView
            fitViewOptions={FIT_VIEW_OPTIONS}
            onlyRenderVisibleElements
            colorMode="dark"
            proOptions={PRO_OPTIONS}
          >
            <Background variant={BackgroundVariant.Dots} gap={22} size={1.2} color="#3a3f4b" />
            {/* An empty minimap is only a dark box over the empty-canvas help. */}
            {nodes.length > 0 && <MiniMap<CanvasFlowNode> pannable zoomable nodeColor={miniMapColor} maskColor="rgba(10, 12, 16, 0.6)" data-testid="minimap" />}
            <Controls showInteractive={false} showFitView={false}>
              <ControlButton
                onClick={fit}
                title="Fit view: readable nodes (the selection, or where you worked last on a big graph)"
                aria-label="Fit view"
                data-testid="fit-view"
              >
                <svg viewBox="0 0 16 16" aria-hidden>
                  <path d="M2 6V2h4M10 2h4v4M14 10v4h-4M6 14H2v-4" fill="none" stroke="currentColor" strokeWidth="1.6" />
                </svg>
              </ControlButton>
              <ControlButton onClick={() => fitAll(flow)} title="Show the whole graph (Shift+.)" aria-label="Show the whole graph" data-testid="fit-all">
                <svg viewBox="0 0 16 16" aria-hidden>
                  <rect x="2" y="2" width="12" height="12" rx="1" fill="none" stroke="currentColor" strokeWidth="1.4" />
                  <path d="M5 5h2v2H5zM9 5h2v2H9zM5 9h2v2H5zM9 9h2v2H9z" fill="currentColor" />
                </svg>
              </ControlButton>
            </Controls>
          </ReactFlow>
          <CanvasMenuSlot fitView={fit} />
        </CanvasDetailContext>
      </CanvasUiContext>
      <EmptyState />
      <NoticeReport />
    </div>
  );
}
