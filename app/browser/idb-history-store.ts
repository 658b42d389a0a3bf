import type { IDBPDatabase } from 'idb';
import { parseHistoryEntry, type HistoryEntry, type HistoryStore } from '../store/history-entry';
import type { StudioDB } from './idb-database';

/**
 * The generation history in IndexedDB, by request id. Entries hold asset ids; the image bytes
 * live in the `assets` store (content-addressed, never removed: see referencedAssetIds).
 */
export function createIdbHistoryStore(db: IDBPDatabase<StudioDB>): HistoryStore {
  return {
    async put(entry) {
      await db.put('history', entry);
    },
    async get(id) {
      return parseHistoryEntry(await db.get('history', id));
    },
    async list() {
      const all = await db.getAllFromIndex('history', 'finishedAt');
      return all
        .map(parseHistoryEntry)
        .filter((e): e is HistoryEntry => e !== undefined)
        .reverse();
    },
    async delete(id) {
      await db.delete('history', id);
    },
  };
}
