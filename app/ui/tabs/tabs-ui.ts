import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { SaveRefusal } from '../../store/workflow-library';

/** The tab and library dialogs: one at a time. */
export type TabsDialog =
  | { kind: 'save-as'; tabId: string; asNew: boolean; refusal?: SaveRefusal; name?: string; thenClose?: boolean }
  | { kind: 'open' }
  | { kind: 'close'; tabId: string }
  | null;

/** Throwaway view state of the tabs and the library, kept across tab switches (the editor below remounts per tab). */
export interface TabsUiState {
  dialog: TabsDialog;
  sidebarOpen: boolean;
  /** Bumped after every save, rename or delete, so lists read the library again. */
  libraryRevision: number;
  openDialog(dialog: TabsDialog): void;
  closeDialog(): void;
  setSidebarOpen(open: boolean): void;
  libraryChanged(): void;
}

export type TabsUi = StoreApi<TabsUiState>;

export function createTabsUi(): TabsUi {
  return createStore<TabsUiState>()((set) => ({
    dialog: null,
    sidebarOpen: false,
    libraryRevision: 0,
    openDialog: (dialog) => set({ dialog }),
    closeDialog: () => set({ dialog: null }),
    setSidebarOpen: (sidebarOpen) => set({ sidebarOpen }),
    libraryChanged: () => set((s) => ({ libraryRevision: s.libraryRevision + 1 })),
  }));
}

export const TabsUiContext = createContext<TabsUi | null>(null);

/** The tabs' view state; null for an editor of one store. */
export const useTabsUiStore = (): TabsUi | null => useContext(TabsUiContext);

const NONE = createTabsUi();

/** One narrow piece of the tabs' view state (defaults without tabs). */
export function useTabsUi<T>(selector: (s: TabsUiState) => T): T {
  return useStore(useContext(TabsUiContext) ?? NONE, selector);
}
