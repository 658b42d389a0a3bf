import type { Workflow } from '../graph/workflow-schema';
import type { SeedMode } from './seed-control';

/** Where the canvas looked, as React Flow says it. */
export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/** One open tab, as the tab bar and persistence see it. */
export interface TabInfo {
  id: string;
  /** The workflow's name, or "Untitled". */
  title: string;
  /** It changed since it was opened or last saved to the library. */
  dirty: boolean;
  /** The saved workflow (library entry) it edits, and the revision it last saved or opened. */
  savedId?: string;
  savedRevision?: number;
  viewport?: Viewport;
  /** Seed control after each queued run (ComfyUI's control after generate). */
  seedMode: SeedMode;
  documentId: string;
}

export interface TabsState {
  tabs: readonly TabInfo[];
  activeId: string;
}

/** A tab to open: its workflow and what is known about it (restored tabs carry everything). */
export interface TabSeed {
  id?: string;
  workflow: Workflow;
  documentId?: string;
  savedId?: string;
  savedRevision?: number;
  /** Restored as changed (unsaved) although nothing was edited since the reload. */
  dirty?: boolean;
  viewport?: Viewport;
  seedMode?: SeedMode;
}

/** The "changed in another window" banner's choices for one tab (see browser/tab-sync). */
export interface TabSyncActions {
  reloadTheirs(): Promise<void>;
  keepMine(): Promise<void>;
}

/** What a host attaches to every tab's store (autosave, sync across windows); undone when the tab closes. */
export interface TabAttachment {
  sync?: TabSyncActions;
  /** The tab was closed: stop saving it and forget its stored workflow. */
  close(): void;
}

/** How a workflow is opened in a tab. */
export interface OpenOptions {
  /** Its name in the tab (written into the workflow). */
  title?: string;
  /** Always a new tab (New), never the untouched empty one shown. */
  fresh?: boolean;
  /** The saved workflow it is (opened from the library). */
  savedId?: string;
  savedRevision?: number;
}

/** A tab id that never repeats (`wt-…`: a workflow tab, not a browser tab's owner id). */
export const newTabId = (): string => `wt-${globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`}`;
