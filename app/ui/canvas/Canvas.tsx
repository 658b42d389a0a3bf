import {
  Background,
  BackgroundVariant,
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
import { useCallback, useEffect, useMemo, type DragEvent, type MouseEvent } from 'react';
import type { XY } from '../../store/graph-ops';
import type { Size } from '../../store/ui-slice';
import { EmptyState } from '../chrome/EmptyState';
import { dropFiles } from '../chrome/open-file';
import { KIND_MIME } from '../palette/Palette';
import { useRegistry, useServices, useStudio, useStudioStore } from '../studio-context';
import { ConnectionLine } from './ConnectionLine';
import { createFlowDeriver, type FlowEdge, type FlowNode } from './flow-derive';
import { useLiveDrag, type LivePositions } from './live-drag';
import { nodeTypes } from './node-types';
import { useNodeGeometry } from './use-node-geometry';
import { CanvasDetailContext, DETAIL_ZOOM } from './zoom-level';
import './canvas.css';

const isPane = (target: EventTarget | null): boolean => target instanceof Element && target.classList.contains('react-flow__pane');

const portRef = (node: string | null, handle: string | null | undefined) => ({ node: node ?? '', port: handle ?? '' });

// Module constants: a new object on a render would reach React Flow's store as a change (one
// more update of every node, link and handle subscribed to it) on every drag frame.
const FIT_VIEW_OPTIONS = { padding: 0.15, maxZoom: 1 };
const PRO_OPTIONS = { hideAttribution: true };
const SELECTION_KEYS = ['Shift', 'Control'];
const MULTI_SELECTION_KEYS = ['Meta', 'Control'];

const miniMapColor = (n: FlowNode): string => {
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
  const geometry = useNodeGeometry(store);
  const deriver = useMemo(() => createFlowDeriver(registry, geometry.remembered), [registry, geometry.remembered]);
  const derived = useStudio((s) => deriver.nodes(s.workflow.nodes, s.selectedNodes, s.nodeSizes));
  const commitDrag = useCallback(
    (positions: LivePositions) => {
      const s = store.getState();
      // One undo step, and the autosave writes at once (it waits for the end of a drag).
      s.moveNodes(positions, true);
      s.endDrag();
    },
    [store],
  );
  const drag = useLiveDrag(derived, commitDrag);
  const nodes = drag.nodes;
  const edges = useStudio((s) => deriver.edges(s.workflow.edges, s.workflow.nodes, s.selectedEdges));
  const fitRequest = useStudio((s) => s.fitViewRequest);
  const zoomedOut = useStore((s) => s.transform[2] < DETAIL_ZOOM);
  const detail = useMemo(() => ({ zoomedOut, remembered: geometry.remembered }), [zoomedOut, geometry.remembered]);

  useEffect(() => {
    if (!fitRequest) return;
    // Wait a frame or two so new nodes are measured before fitting them.
    const timer = setTimeout(() => void flow.fitView({ padding: 0.15, maxZoom: 1, duration: 200 }), 80);
    return () => clearTimeout(timer);
  }, [fitRequest, flow]);

  const { move: moveLive, end: endLive } = drag;
  const { measured } = geometry;
  const onConnectStart = useCallback(() => store.getState().setConnectionHint(null), [store]);

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowNode>[]) => {
      const positions = new Map<string, XY>();
      const selection = new Map<string, boolean>();
      const sizes = new Map<string, Size>();
      let dragging = false;
      for (const c of changes) {
        if (c.type === 'position' && c.position) {
          positions.set(c.id, c.position);
          dragging ||= c.dragging === true;
        } else if (c.type === 'select') selection.set(c.id, c.selected);
        else if (c.type === 'dimensions' && c.dimensions) sizes.set(c.id, c.dimensions);
      }
      const s = store.getState();
      if (sizes.size) {
        s.setNodeSizes(sizes);
        measured();
      }
      if (selection.size) s.patchSelection({ nodes: selection });
      // React Flow ends a drag with one more position change marked not dragging: that one
      // commits the drag (keyboard moves, never dragging, commit at once).
      if (positions.size) moveLive(positions, dragging);
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

  const onConnectEnd: OnConnectEnd = useCallback(
    (event, state) => {
      const s = store.getState();
      s.setConnectionHint(null);
      if (state.isValid || state.toHandle || !state.fromHandle || !isPane(event.target)) return;
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
    [store, flow],
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
    <div className={zoomedOut ? 'canvas zoomed-out' : 'canvas'} data-testid="canvas" onDoubleClick={onDoubleClick} onDragOver={onDragOver} onDrop={onDrop}>
      <CanvasDetailContext value={detail}>
        <ReactFlow<FlowNode, FlowEdge>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
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
          {nodes.length > 0 && <MiniMap<FlowNode> pannable zoomable nodeColor={miniMapColor} maskColor="rgba(10, 12, 16, 0.6)" data-testid="minimap" />}
          <Controls showInteractive={false} />
        </ReactFlow>
      </CanvasDetailContext>
      <EmptyState />
    </div>
  );
}
