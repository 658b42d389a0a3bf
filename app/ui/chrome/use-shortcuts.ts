import { useReactFlow } from '@xyflow/react';
import { useEffect } from 'react';
import type { StudioStore } from '../../store/create-store';
import { commandFor, type Command } from '../../store/shortcuts';
import { useStudioStore } from '../studio-context';
import { duplicateSelection } from './selection-actions';

/** Runs a keyboard command against the store. Returns false when it did not apply. */
export function runCommand(
  store: StudioStore,
  command: Command,
  view: { fitView(): void; centre(): { screen: { x: number; y: number }; flow: { x: number; y: number } } },
): boolean {
  const s = store.getState();
  switch (command) {
    case 'run':
      void s.requestRun();
      return true;
    case 'undo':
      store.undo();
      return true;
    case 'redo':
      store.redo();
      return true;
    case 'duplicate':
      return duplicateSelection(store);
    case 'delete':
      if (s.selectedNodes.size === 0 && s.selectedEdges.size === 0) return false;
      s.removeElements(s.selectedNodes, s.selectedEdges);
      s.setSelection([]);
      return true;
    case 'select-all':
      s.setSelection(s.workflow.nodes.map((n) => n.id));
      return true;
    case 'fit-view':
      view.fitView();
      return true;
    case 'search':
      s.openSearch(view.centre());
      return true;
    case 'escape':
      // Esc closes the topmost thing, then clears the selection. It never stops a run: stopping
      // cancels queued paid jobs and drops later steps, so it takes the Stop button.
      if (s.lightbox) s.closeLightbox();
      else if (s.search) s.closeSearch();
      else if (s.pendingRun) s.cancelPendingRun();
      else if (s.selectedNodes.size > 0 || s.selectedEdges.size > 0) s.setSelection([]);
      else return false;
      return true;
  }
}

/** ComfyUI-like keys on the whole window; typing in a field never triggers graph commands. */
export function useShortcuts(): void {
  const store = useStudioStore();
  const flow = useReactFlow();
  useEffect(() => {
    const view = {
      fitView: () => void flow.fitView({ padding: 0.15, maxZoom: 1, duration: 200 }),
      centre: () => {
        const pane = document.querySelector('.react-flow')?.getBoundingClientRect();
        const screen = pane ? { x: pane.left + pane.width / 2 - 140, y: pane.top + pane.height / 3 } : { x: 300, y: 200 };
        return { screen, flow: flow.screenToFlowPosition(screen) };
      },
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented) return;
      const command = commandFor(e);
      if (command && runCommand(store, command, view)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store, flow]);
}
