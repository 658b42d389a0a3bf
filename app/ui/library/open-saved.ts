import { openSaved } from '../../store/library-actions';
import { reportOpened } from '../chrome/open-file';
import type { TabManager } from '../../store/tab-manager';
import type { SavedWorkflow } from '../../store/workflow-library';

/** Opens a saved workflow in a tab (or shows the tab editing it) and says what was repaired or why it failed. */
export function openSavedEntry(tabs: TabManager, entry: SavedWorkflow): boolean {
  const opened = openSaved(tabs, entry);
  if (!opened.ok) {
    tabs
      .active()
      .getState()
      .notify(`“${entry.name}” could not be opened: ${opened.issues.map((i) => i.message).join(' · ')}`, 'error');
    return false;
  }
  const s = opened.store.getState();
  s.setSelection([]);
  s.requestFitView();
  const notes = opened.issues.map((i) => i.message);
  if (notes.length) reportOpened(opened.store, `“${entry.name}”`, notes);
  return true;
}

/** A saved workflow as a downloadable workflow file. */
export function savedFile(entry: SavedWorkflow): { name: string; blob: Blob } {
  const base = entry.name.replace(/[^A-Za-z0-9 _.-]+/g, '').trim() || 'workflow';
  return { name: `${base}.json`, blob: new Blob([`${JSON.stringify(entry.workflow, null, 2)}\n`], { type: 'application/json' }) };
}
