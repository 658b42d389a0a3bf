import type { IDBPDatabase } from 'idb';
import { parseSavedWorkflow, type SavedWorkflow, type WorkflowLibrary } from '../store/workflow-library';
import type { StudioDB } from './idb-database';

/** Saved workflows in IndexedDB (`saved`), most recently saved first. Unreadable records are skipped, not deleted. */
export function createIdbWorkflowLibrary(db: IDBPDatabase<StudioDB>): WorkflowLibrary {
  return {
    async list() {
      const all = await db.getAllFromIndex('saved', 'updatedAt');
      return all
        .map(parseSavedWorkflow)
        .filter((e): e is SavedWorkflow => e !== undefined)
        .reverse();
    },
    async get(id) {
      return parseSavedWorkflow(await db.get('saved', id));
    },
    async put(entry) {
      await db.put('saved', entry);
    },
    async delete(id) {
      await db.delete('saved', id);
    },
  };
}
