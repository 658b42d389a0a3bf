import type { IDBPDatabase } from 'idb';
import type { Workflow } from '../graph/workflow-schema';
import type { WorkflowStorage } from '../store/autosave';
import type { StudioDB } from './idb-database';

const KEY = 'current';

/** The autosave's storage: the current workflow as one IndexedDB record. */
export function createIdbWorkflowStorage(db: IDBPDatabase<StudioDB>): WorkflowStorage {
  return {
    async load() {
      return db.get('workflows', KEY);
    },
    async save(workflow: Workflow) {
      await db.put('workflows', workflow, KEY);
    },
  };
}
