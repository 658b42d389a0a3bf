import type { Workflow } from '../../graph/workflow-schema';
import type { StudioStore } from '../../store/create-store';

/**
 * Opens the workflow a batch row ran as a graph, with its outputs (its nodes' results come from
 * the shared result cache). Today that is the current document (`openDocument`: one undo step,
 * refused while a canvas run is going); when the editor has tabs, a new tab. Returns whether it opened.
 */
export function openBatchRow(store: StudioStore, workflow: Workflow): boolean {
  return store.getState().openDocument(workflow);
}
