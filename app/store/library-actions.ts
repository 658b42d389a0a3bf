import type { Issue } from '../graph/issues';
import { loadWorkflow } from '../graph/load-workflow';
import type { Workflow } from '../graph/workflow-schema';
import type { StudioStore } from './create-store';
import type { TabManager } from './tab-manager';
import { renameSaved, saveToLibrary, type SavedWorkflow, type SaveRefusal, type WorkflowLibrary } from './workflow-library';

/** The tab's workflow with the saved name written into it (one undo step, only when the name changed). */
function nameInTab(store: StudioStore, name: string): Workflow {
  const wf = store.getState().workflow;
  if (wf.meta.name !== name) store.getState().replaceWorkflow({ ...wf, meta: { ...wf.meta, name } });
  return store.getState().workflow;
}

export interface SaveTabOptions {
  /** The name to save under; the workflow's own name by default. */
  name?: string;
  /** Save as…: a new entry even when the tab edits a saved workflow. */
  asNew?: boolean;
  /** The user chose to replace what the save was refused over. */
  force?: boolean;
  now?: () => Date;
}

/**
 * Ctrl+S and Save as…: saves the tab's workflow in the library under a name; from then on the
 * tab edits that entry (Ctrl+S saves in place) and is no longer marked changed. Refusals (a newer
 * revision saved from another window, a name another entry has) come back for the user to decide.
 */
export async function saveTab(
  manager: TabManager,
  library: WorkflowLibrary,
  tabId: string,
  options: SaveTabOptions = {},
): Promise<{ ok: true; entry: SavedWorkflow } | SaveRefusal> {
  const tab = manager.state.getState().tabs.find((t) => t.id === tabId);
  const store = manager.storeOf(tabId);
  if (!tab || !store) throw new Error(`No open tab has the id ${tabId}`);
  const workflow = store.getState().workflow;
  const inPlace = !options.asNew && tab.savedId !== undefined;
  const result = await saveToLibrary(library, {
    workflow,
    name: options.name ?? workflow.meta.name ?? tab.title,
    ...(inPlace ? { id: tab.savedId!, revision: tab.savedRevision ?? 1 } : {}),
    ...(options.force ? { force: true } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  if (!result.ok) return result;
  // Edits made while the save was written stay unsaved changes.
  const saved = store.getState().workflow === workflow ? nameInTab(store, result.entry.name) : undefined;
  manager.markSaved(tabId, { savedId: result.entry.id, savedRevision: result.entry.revision }, saved ?? workflow);
  return result;
}

/** Opens a saved workflow in a tab, or shows the tab that already edits it. */
export function openSaved(manager: TabManager, entry: SavedWorkflow): { ok: true; store: StudioStore; issues: Issue[] } | { ok: false; issues: Issue[] } {
  const shown = manager.tabOfSaved(entry.id);
  if (shown) {
    manager.activate(shown.id);
    return { ok: true, store: manager.storeOf(shown.id)!, issues: [] };
  }
  const loaded = loadWorkflow(entry.workflow, manager.registry);
  if (!loaded.ok) return { ok: false, issues: loaded.issues };
  const store = manager.openInTab(loaded.workflow, entry.name, { savedId: entry.id, savedRevision: entry.revision });
  return { ok: true, store, issues: loaded.issues };
}

/** Deletes a saved workflow; a tab editing it keeps it as unsaved work. `undo` puts the entry back. */
export async function deleteSaved(
  manager: TabManager,
  library: WorkflowLibrary,
  id: string,
): Promise<{ entry: SavedWorkflow; undo(): Promise<void> } | undefined> {
  const entry = await library.get(id);
  if (!entry) return undefined;
  const tab = manager.tabOfSaved(id);
  await library.delete(id);
  manager.forgetSaved(id);
  return {
    entry,
    async undo() {
      await library.put(entry);
      const store = tab && manager.storeOf(tab.id);
      if (store) manager.markSaved(tab.id, { savedId: entry.id, savedRevision: entry.revision }, store.getState().workflow);
    },
  };
}

/** Renames a saved workflow; the tab editing it takes the name (and the new revision, so its next save is in place). */
export async function renameSavedInTabs(manager: TabManager, library: WorkflowLibrary, id: string, name: string): Promise<SavedWorkflow | SaveRefusal> {
  const result = await renameSaved(library, id, name);
  if ('ok' in result) return result;
  const tab = manager.tabOfSaved(id);
  const store = tab && manager.storeOf(tab.id);
  if (tab && store) {
    const wasClean = !tab.dirty;
    const named = nameInTab(store, result.name);
    manager.markSaved(tab.id, { savedId: id, savedRevision: result.revision }, wasClean ? named : undefined);
  }
  return result;
}
