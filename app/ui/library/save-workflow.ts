import { saveTab } from '../../store/library-actions';
import type { TabManager } from '../../store/tab-manager';
import type { WorkflowLibrary } from '../../store/workflow-library';
import type { TabsUi } from '../tabs/tabs-ui';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Ctrl+S (and Save as… with `asNew`): a tab that edits a saved workflow saves in place; one that
 * was never saved, or Save as…, asks for a name first. A refused save (saved from another window
 * since, or the name is taken) opens the dialog that lets the user decide.
 */
export async function saveShownTab(tabs: TabManager, ui: TabsUi, library: WorkflowLibrary, asNew = false): Promise<void> {
  const tabId = tabs.state.getState().activeId;
  const tab = tabs.state.getState().tabs.find((t) => t.id === tabId);
  const store = tabs.storeOf(tabId);
  if (!tab || !store) return;
  if (asNew || !tab.savedId) {
    ui.getState().openDialog({ kind: 'save-as', tabId, asNew: true });
    return;
  }
  try {
    const result = await saveTab(tabs, library, tabId);
    if (!result.ok) {
      ui.getState().openDialog({ kind: 'save-as', tabId, asNew: false, refusal: result, name: store.getState().workflow.meta.name ?? tab.title });
      return;
    }
    ui.getState().libraryChanged();
    store.getState().notify(`Saved “${result.entry.name}”.`);
  } catch (err) {
    store.getState().notify(`The workflow could not be saved: ${message(err)}`, 'error');
  }
}
