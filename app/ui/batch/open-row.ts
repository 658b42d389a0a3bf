import type { Workflow } from '../../graph/workflow-schema';
import type { StudioStore } from '../../store/create-store';

/**
 * Opens the workflow a batch row ran as a graph, with its outputs (its nodes' results come from
 * the shared result cache): in a new tab named after the row, as New, templates and History open,
 * so the graph being edited is never replaced. An editor of one store (no tabs) opens it as the
 * current document instead (one undo step, refused while a canvas run is going). Returns whether it opened.
 */
export function openBatchRow(store: StudioStore, workflow: Workflow, rowId: string): boolean {
  if (!store.tabs) return store.getState().openDocument(workflow);
  const name = workflow.meta.name?.trim();
  const shown = store.tabs.openInTab(workflow, { title: name ? `${name} · row ${rowId}` : `Row ${rowId}` }).getState();
  shown.setSelection([]);
  shown.requestFitView();
  return true;
}
