import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { XY } from '../../store/graph-ops';

/** What a context menu was opened on. */
export type MenuTarget =
  | { kind: 'node'; id: string }
  | { kind: 'edge'; id: string }
  | { kind: 'input'; node: string; port: string }
  | { kind: 'note'; id: string }
  | { kind: 'group'; id: string }
  | { kind: 'pane' };

/** An open context menu: its target and where it opened (viewport pixels). */
export interface OpenMenu {
  target: MenuTarget;
  screen: XY;
  /** The element to give focus back to when the menu closes (keyboard users continue where they were). */
  returnFocus?: HTMLElement | null;
}

/**
 * Throwaway canvas state that nodes read without re-rendering each other: the open menu and
 * which title or note is being edited. One small store per canvas, apart from the editor's
 * store (whose every update would run every node's selectors).
 */
export interface CanvasUiState {
  menu: OpenMenu | null;
  /** The node, group or note whose title (or text) is being edited in place. */
  editing: string | null;
  openMenu(menu: OpenMenu): void;
  closeMenu(): void;
  edit(id: string | null): void;
}

export function createCanvasUi(): StoreApi<CanvasUiState> {
  return createStore<CanvasUiState>()((set) => ({
    menu: null,
    editing: null,
    openMenu: (menu) => set({ menu }),
    closeMenu: () => set({ menu: null }),
    edit: (editing) => set({ editing }),
  }));
}

const fallback = createCanvasUi();
export const CanvasUiContext = createContext<StoreApi<CanvasUiState>>(fallback);

/** The canvas UI store (stable: nodes read it through {@link useCanvasUiState}). */
export const useCanvasUi = (): StoreApi<CanvasUiState> => useContext(CanvasUiContext);

export function useCanvasUiState<T>(selector: (s: CanvasUiState) => T): T {
  return useStore(useCanvasUi(), selector);
}
