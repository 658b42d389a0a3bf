import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { ImageRef } from '../graph/ports';
import type { NodeRegistry } from '../graph/registry';
import type { BatchStore } from '../store/batch-store';
import type { StudioStore } from '../store/create-store';
import type { HistoryStore } from '../store/history-entry';
import type { TemplateLibrary } from '../store/user-templates';
import type { StudioState } from '../store/store-types';

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
  /** This tab's batch (Batch… on a template or the graph); absent where batches cannot run. */
  batches?: BatchStore;
}

/** The choices offered when another tab saved a newer revision of this workflow. */
export interface TabActions {
  /** Opens the other tab's version (one undo step). */
  reloadTheirs(): Promise<void>;
  /** Writes ours over it as a new revision. */
  keepMine(): Promise<void>;
}

const StoreContext = createContext<StudioStore | null>(null);
const ServicesContext = createContext<UiServices | null>(null);

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
