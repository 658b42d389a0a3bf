import { useReactFlow } from '@xyflow/react';
import { useEffect } from 'react';
import type { StudioStore } from '../../store/create-store';
import { commandFor, type Command } from '../../store/shortcuts';
import type { TabManager } from '../../store/tab-manager';
import { saveShownTab } from '../library/save-workflow';
import { useServices, useStudioStore, useTabs } from '../studio-context';
import { useTabsUiStore, type TabsUi } from '../tabs/tabs-ui';
import type { WorkflowLibrary } from '../../store/workflow-library';
import { duplicateSelection } from './selection-actions';

/** What tab and library commands act on; absent for an editor of one store. */
export interface AppParts {
  tabs: TabManager;
  ui: TabsUi;
  library?: WorkflowLibrary;
}

/** Tab and library commands; false when the editor has no tabs (or no library). */
function appCommand(command: Command, app: AppParts | undefined): boolean {
  if (!app) return false;
  switch (command) {
    case 'save':
    case 'save-as':
      if (!app.library) return false;
      void saveShownTab(app.tabs, app.ui, app.library, command === 'save-as');
      return true;
    case 'open-library':
      app.ui.getState().openDialog({ kind: 'open' });
      return true;
    case 'next-tab':
    case 'previous-tab':
      app.tabs.cycle(command === 'next-tab' ? 1 : -1);
      return true;
    default:
      return false;
  }
}

/** Runs a keyboard command against the store (and the tabs, when there are). Returns false when it did not apply. */
export function runCommand(
  store: StudioStore,
  command: Command,
  view: { fitView(): void; fitAll(): void; centre(): { screen: { x: number; y: number }; flow: { x: number; y: number } } },
  app?: AppParts,
): boolean {
  const s = store.getState();
  switch (command) {
    case 'run': {
      // Ctrl+Enter while a run is going queues the next run (with the tab's seed control), as in ComfyUI.
      const seedMode = app?.tabs.state.getState().tabs.find((t) => t.id === app.tabs.state.getState().activeId)?.seedMode;
      void s.requestRun(undefined, seedMode ? { seedMode } : {});
      return true;
    }
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
    case 'fit-all':
      view.fitAll();
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
      else if (s.notice?.lines) s.dismissNotice();
      else if (s.selectedNodes.size > 0 || s.selectedEdges.size > 0) s.setSelection([]);
      else return false;
      return true;
    default:
      return appCommand(command, app);
  }
}

/** ComfyUI-like keys on the whole window; typing in a field never triggers graph commands. */
export function useShortcuts(): void {
  const store = useStudioStore();
  const flow = useReactFlow();
  const tabs = useTabs();
  const ui = useTabsUiStore();
  const { library } = useServices();
  useEffect(() => {
    const app = tabs && ui ? { tabs, ui, ...(library ? { library } : {}) } : undefined;
    const view = {
      fitView: () => store.getState().requestReadableFit(),
      fitAll: () => store.getState().requestFitAll(),
      centre: () => {
        const pane = document.querySelector('.react-flow')?.getBoundingClientRect();
        const screen = pane ? { x: pane.left + pane.width / 2 - 140, y: pane.top + pane.height / 3 } : { x: 300, y: 200 };
        return { screen, flow: flow.screenToFlowPosition(screen) };
      },
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented) return;
      const command = commandFor(e);
      if (command && runCommand(store, command, view, app)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store, flow, tabs, ui, library]);
}
