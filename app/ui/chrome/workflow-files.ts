import { loadWorkflow } from '../../graph/load-workflow';
import type { NodeRegistry } from '../../graph/registry';
import { emptyWorkflow } from '../../graph/workflow-schema';
import type { StudioStore } from '../../store/create-store';
import { showLoaded, withCycles } from './open-file';

/** Opens workflow JSON (a file or a template): in a tab of its own, or in place of the current one (one undo step) without tabs. */
export function openWorkflowData(store: StudioStore, registry: NodeRegistry, data: unknown, label: string): boolean {
  return showLoaded(store, withCycles(loadWorkflow(data, registry)), label);
}

/**
 * New: an empty workflow in a new tab (the shown tab keeps its graph and run); without tabs, an
 * empty document in place of the current one (one undo step; false while a run is going).
 */
export function newWorkflow(store: StudioStore): boolean {
  if (store.tabs) {
    store.tabs.openInTab(emptyWorkflow({ name: 'Untitled' }), { fresh: true });
    return true;
  }
  const s = store.getState();
  if (!s.openDocument(emptyWorkflow({ name: 'Untitled' }))) return false;
  s.setSelection([]);
  return true;
}

/** The workflow as a pretty-printed file, stamped with the time it was exported. */
export function exportWorkflow(store: StudioStore): { name: string; blob: Blob } {
  const wf = store.getState().workflow;
  const data = { ...wf, meta: { ...wf.meta, updatedAt: new Date().toISOString() } };
  const base = (wf.meta.name ?? 'workflow').replace(/[^A-Za-z0-9 _.-]+/g, '').trim() || 'workflow';
  return { name: `${base}.json`, blob: new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }) };
}
