import { useEffect } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import type { StudioStore } from '../../store/create-store';
import { canvasCommandFor } from '../../store/shortcuts';
import type { CanvasUiState, MenuTarget } from './canvas-ui';

/** The canvas item (node, note, group) that has keyboard focus, if any. */
function focusedItem(): { id: string; el: HTMLElement } | undefined {
  const el = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('.react-flow__node');
  const id = el?.dataset.id;
  return el && id ? { id, el } : undefined;
}

/** What the menu key opens a menu on: the focused item, else the one selected node, else the canvas. */
function menuTargetOf(store: StudioStore, focused: string | undefined): MenuTarget {
  const s = store.getState();
  const id = focused ?? (s.selectedNodes.size === 1 ? [...s.selectedNodes][0] : undefined);
  if (id && s.workflow.nodes.some((n) => n.id === id)) return { kind: 'node', id };
  if (id && s.workflow.notes?.some((n) => n.id === id)) return { kind: 'note', id };
  if (id && s.workflow.groups?.some((g) => g.id === id)) return { kind: 'group', id };
  return { kind: 'pane' };
}

/**
 * Ctrl+B (bypass) and Ctrl+M (mute) on the selected nodes, or the focused one; Shift+F10 or the
 * menu key opens the context menu of the focused or selected item (or of the canvas), for
 * people who do not use a mouse.
 */
export function useCanvasKeys(store: StudioStore, ui: StoreApi<CanvasUiState>, canvas: () => HTMLElement | null): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || ui.getState().menu) return;
      const command = canvasCommandFor(e);
      if (!command) return;
      const focused = focusedItem();
      if (command === 'menu') {
        const target = menuTargetOf(store, focused?.id);
        const box = (
          target.kind === 'pane'
            ? canvas()
            : (focused?.el ?? document.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape('id' in target ? target.id : '')}"]`))
        )?.getBoundingClientRect();
        const screen = box
          ? { x: box.left + Math.min(40, box.width / 2), y: box.top + Math.min(24, box.height / 2) }
          : { x: window.innerWidth / 2, y: window.innerHeight / 2 };
        ui.getState().openMenu({ target, screen, returnFocus: document.activeElement as HTMLElement | null });
        e.preventDefault();
        return;
      }
      const s = store.getState();
      const ids = s.selectedNodes.size ? [...s.selectedNodes] : focused ? [focused.id] : [];
      const nodes = ids.filter((id) => s.workflow.nodes.some((n) => n.id === id));
      if (nodes.length === 0) return;
      s.toggleMode(nodes, command);
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store, ui, canvas]);
}
