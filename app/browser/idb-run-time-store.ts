import type { IDBPDatabase } from 'idb';
import { parseRunTimeSnapshot, type RunTimeSnapshot, type RunTimeStore } from '../api/run-time-model';
import type { StudioDB } from './idb-database';

const KEY = 'run-times';

/**
 * Learned run times in IndexedDB (`settings/run-times`), so polling starts from what earlier
 * sessions measured. An unreadable snapshot loads as undefined: the model starts cold, which
 * only costs a few extra reads.
 */
export function createIdbRunTimeStore(db: IDBPDatabase<StudioDB>): RunTimeStore {
  return {
    async load() {
      return parseRunTimeSnapshot(await db.get('settings', KEY));
    },
    async save(snapshot: RunTimeSnapshot) {
      await db.put('settings', snapshot, KEY);
    },
  };
}
