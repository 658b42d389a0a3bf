import type { LinkEnd } from './graph-slice';
import type { XY } from './graph-ops';
import type { SetState } from './store-types';

/** The node search popup: where it opened, and the dangling link it should complete. */
export interface SearchState {
  /** Where to draw the popup, in viewport pixels. */
  screen: XY;
  /** Where the chosen node goes, in flow coordinates. */
  flow: XY;
  linkFrom?: LinkEnd;
  /** The link the chosen node is put on (source → node → input), from the link's context menu. */
  splice?: string;
}

export interface LightboxState {
  nodeId: string;
  index: number;
}

/** What `/api/config` says the server talks to. */
export type AppMode = 'simulator' | 'runcomfy' | 'unknown';

export interface Notice {
  id: number;
  /** The message; with `lines`, the report's heading. */
  text: string;
  tone: 'info' | 'error';
  /**
   * A report (what opening a file found): one line per finding. A notice with lines stays until
   * the user dismisses it (button or Esc), since it is read, not glanced at; one without goes by itself.
   */
  lines?: readonly string[];
}

export interface Size {
  width: number;
  height: number;
}

const EMPTY: ReadonlySet<string> = new Set();

/** Throwaway view state: selection, popups, hints. Never undoable, never persisted. */
export interface UiSlice {
  selectedNodes: ReadonlySet<string>;
  selectedEdges: ReadonlySet<string>;
  search: SearchState | null;
  lightbox: LightboxState | null;
  /** Why the link being dragged cannot connect where it hovers. */
  connectionHint: string | null;
  /** Set while the workflow could not be saved to browser storage; cleared by the next good save. */
  storageError: string | null;
  mode: AppMode;
  runPanelOpen: boolean;
  notice: Notice | null;
  /** Rendered node sizes as React Flow measured them (for drawing edges and auto-layout). */
  nodeSizes: ReadonlyMap<string, Size>;
  /**
   * Bumped to ask the canvas to show a graph just opened (a file, template, History entry, saved
   * workflow): the whole graph when it fits readably, else readably from its start (canvas/readable-fit.ts).
   */
  fitViewRequest: number;
  requestFitView(): void;
  /** Bumped to ask the canvas for a fit that keeps nodes readable (the Fit button and key: see canvas/readable-fit.ts). */
  readableFitRequest: number;
  requestReadableFit(): void;
  /** Bumped to ask the canvas to show the whole graph, however small its nodes get (Shift+.). */
  fitAllRequest: number;
  requestFitAll(): void;
  setNodeSizes(sizes: ReadonlyMap<string, Size>): void;
  setSelection(nodes: Iterable<string>, edges?: Iterable<string>): void;
  /** Applies React Flow's select/deselect changes. */
  patchSelection(changes: { nodes?: ReadonlyMap<string, boolean>; edges?: ReadonlyMap<string, boolean> }): void;
  openSearch(search: SearchState): void;
  closeSearch(): void;
  openLightbox(nodeId: string, index: number): void;
  closeLightbox(): void;
  setLightboxIndex(index: number): void;
  setConnectionHint(hint: string | null): void;
  setStorageError(message: string | null): void;
  setMode(mode: AppMode): void;
  setRunPanelOpen(open: boolean): void;
  /** Shows a notice in place of the current one; with `lines` it is a report that stays until dismissed. */
  notify(text: string, tone?: Notice['tone'], lines?: readonly string[]): void;
  dismissNotice(): void;
}

function patch(current: ReadonlySet<string>, changes: ReadonlyMap<string, boolean> | undefined): ReadonlySet<string> {
  if (!changes || changes.size === 0) return current;
  let next: Set<string> | undefined;
  for (const [id, selected] of changes) {
    if (current.has(id) === selected) continue;
    next ??= new Set(current);
    if (selected) next.add(id);
    else next.delete(id);
  }
  return next ?? current;
}

export function createUiSlice(set: SetState): UiSlice {
  let noticeId = 0;
  return {
    selectedNodes: EMPTY,
    selectedEdges: EMPTY,
    search: null,
    lightbox: null,
    connectionHint: null,
    storageError: null,
    mode: 'unknown',
    runPanelOpen: true,
    notice: null,
    nodeSizes: new Map(),
    fitViewRequest: 0,
    requestFitView: () => set((s) => ({ fitViewRequest: s.fitViewRequest + 1 })),
    readableFitRequest: 0,
    requestReadableFit: () => set((s) => ({ readableFitRequest: s.readableFitRequest + 1 })),
    fitAllRequest: 0,
    requestFitAll: () => set((s) => ({ fitAllRequest: s.fitAllRequest + 1 })),
    setNodeSizes: (sizes) =>
      set((s) => {
        let next: Map<string, Size> | undefined;
        for (const [id, size] of sizes) {
          const old = s.nodeSizes.get(id);
          if (old && old.width === size.width && old.height === size.height) continue;
          next ??= new Map(s.nodeSizes);
          next.set(id, size);
        }
        return next ? { nodeSizes: next } : s;
      }),
    setSelection: (nodes, edges = []) => set({ selectedNodes: new Set(nodes), selectedEdges: new Set(edges) }),
    patchSelection: (changes) =>
      set((s) => {
        const selectedNodes = patch(s.selectedNodes, changes.nodes);
        const selectedEdges = patch(s.selectedEdges, changes.edges);
        return selectedNodes === s.selectedNodes && selectedEdges === s.selectedEdges ? s : { selectedNodes, selectedEdges };
      }),
    openSearch: (search) => set({ search }),
    closeSearch: () => set({ search: null }),
    openLightbox: (nodeId, index) => set({ lightbox: { nodeId, index } }),
    closeLightbox: () => set({ lightbox: null }),
    setLightboxIndex: (index) => set((s) => (s.lightbox ? { lightbox: { ...s.lightbox, index } } : s)),
    setConnectionHint: (connectionHint) => set((s) => (s.connectionHint === connectionHint ? s : { connectionHint })),
    setStorageError: (storageError) => set((s) => (s.storageError === storageError ? s : { storageError })),
    setMode: (mode) => set({ mode }),
    setRunPanelOpen: (runPanelOpen) => set({ runPanelOpen }),
    notify: (text, tone = 'info', lines) => set({ notice: { id: ++noticeId, text, tone, ...(lines?.length ? { lines } : {}) } }),
    dismissNotice: () => set({ notice: null }),
  };
}
