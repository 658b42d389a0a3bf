import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { ImageRef } from '../graph/ports';
import type { NodeRegistry } from '../graph/registry';
import type { BatchAccess } from './batch/batch-access';
import type { StudioStore } from '../store/create-store';
import type { HistoryStore } from '../store/history-entry';
import { createRunQueue, type RunQueueState } from '../store/run-queue';
import type { TabInfo, TabManager, TabSyncActions, TabsState } from '../store/tab-manager';
import type { TemplateLibrary } from '../store/user-templates';
import type { StudioState } from '../store/store-types';
import type { WorkflowLibrary } from '../store/workflow-library';

/** Decoded, downscaled images for display (thumbnails, lightbox), never full 4K decodes in a node. */
export interface ImageLoader {
  /** An object URL of the image scaled to fit `maxSide` pixels. */
  thumbnail(ref: ImageRef, maxSide: number, signal?: AbortSignal): Promise<string>;
  /** The original bytes, for downloading one frame. */
  original(ref: ImageRef, signal?: AbortSignal): Promise<Blob>;
}

/** Result of importing a local image file. */
export type ImportResult = { ok: true; ref: ImageRef } | { ok: false; message: string };

/** What the UI needs besides the store; built by the composition root. */
export interface UiServices {
  registry: NodeRegistry;
  images: ImageLoader;
  /** Checks and stores a dropped or pasted file as an asset. */
  importImage(file: Blob, name?: string): Promise<ImportResult>;
  /** Saves a file to the user's downloads. */
  download(name: string, data: Blob): void;
  /** A Save node's "Save again": downloads these images once more, although they were delivered before. */
  saveAgain?(images: readonly ImageRef[], prefix: string): Promise<string[]>;
  /** The user's saved templates; absent when browser storage is unavailable. */
  templates?: TemplateLibrary;
  /** Every completed generation; absent when browser storage is unavailable. */
  history?: HistoryStore;
  /** What the "changed in another tab" banner does; absent without browser storage. */
  tabs?: TabActions;
  /** This window's batches (Batch… on a template or the graph), loaded on first use; absent where batches cannot run. */
  batches?: BatchAccess;
  /** Workflows saved by name (Ctrl+S, Ctrl+O, the sidebar); absent where they cannot be kept. */
  library?: WorkflowLibrary;
}

/**
 * The choices offered when another window saved a newer revision of this workflow: open theirs
 * (one undo step), or write ours over it as a new revision.
 */
export type TabActions = TabSyncActions;

const StoreContext = createContext<StudioStore | null>(null);
const ServicesContext = createContext<UiServices | null>(null);
const TabsContext = createContext<TabManager | null>(null);
const NO_TABS = createStore<TabsState>()(() => ({ tabs: [], activeId: '' }));
/** An empty queue for an editor of one store (nothing is ever queued there). */
const NO_QUEUE = createRunQueue({ run: async () => ({ status: 'cancelled' }), stop: () => undefined }).store;

/**
 * The app with tabs: everything below sees the shown tab's store (so the canvas, panels and
 * dialogs need nothing else), and the tab bar, queue and library see the tabs.
 */
export function TabbedStudioProvider({ tabs, services, children }: { tabs: TabManager; services: UiServices; children: ReactNode }) {
  const activeId = useStore(tabs.state, (s) => s.activeId);
  const store = tabs.storeOf(activeId) ?? tabs.active();
  return (
    <TabsContext.Provider value={tabs}>
      <StudioProvider store={store} services={services}>
        {children}
      </StudioProvider>
    </TabsContext.Provider>
  );
}

/** The tabs, or null for an editor of one store (tests). */
export const useTabs = (): TabManager | null => useContext(TabsContext);

/** The shown tab's id ('' without tabs). */
export function useActiveTabId(): string {
  const tabs = useContext(TabsContext);
  return useStore(tabs?.state ?? NO_TABS, (s) => s.activeId);
}

export function StudioProvider({ store, services, children }: { store: StudioStore; services: UiServices; children: ReactNode }) {
  return (
    <StoreContext.Provider value={store}>
      <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>
    </StoreContext.Provider>
  );
}

export function useStudioStore(): StudioStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useStudioStore must be used inside <StudioProvider>');
  return store;
}

/** Subscribes to one narrow piece of the store; the component re-renders only when it changes. */
export function useStudio<T>(selector: (s: StudioState) => T): T {
  return useStore(useStudioStore(), selector);
}

export function useServices(): UiServices {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices must be used inside <StudioProvider>');
  return services;
}

export const useRegistry = (): NodeRegistry => useServices().registry;

/** A narrow piece of the shown tab's info (its argument is undefined without tabs). */
export function useShownTab<T>(selector: (tab: TabInfo | undefined) => T): T {
  const tabs = useContext(TabsContext);
  return useStore(tabs?.state ?? NO_TABS, (s) => selector(s.tabs.find((t) => t.id === s.activeId)));
}

/** A narrow piece of the run queue (an empty one without tabs). */
export function useQueue<T>(selector: (q: RunQueueState) => T): T {
  const tabs = useContext(TabsContext);
  return useStore(tabs?.queue.store ?? NO_QUEUE, selector);
}
