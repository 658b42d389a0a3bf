import type { IDBPDatabase } from 'idb';
import { parseRunRecord, type RunRecordStore } from '../store/run-record';
import type { StudioDB } from './idb-database';

/**
 * This tab's run in progress in IndexedDB (`runs/<owner id>`): a reload of the same tab (same
 * owner id, kept in sessionStorage) finds it and continues the run; another tab has its own.
 * `clear` checks the run id in the same transaction, so clearing an old run never drops a newer one.
 */
export function createIdbRunStore(db: IDBPDatabase<StudioDB>, ownerId: string): RunRecordStore {
  return {
    async save(record) {
      await db.put('runs', record, ownerId);
    },
    async load() {
      return parseRunRecord(await db.get('runs', ownerId));
    },
    async clear(runId) {
      const tx = db.transaction('runs', 'readwrite');
      const stored = parseRunRecord(await tx.store.get(ownerId));
      if (!stored || stored.runId === runId) await tx.store.delete(ownerId);
      await tx.done;
    },
  };
}
