import type { IDBPDatabase } from 'idb';
import { parseBatchRecord, type BatchRecord, type BatchRecordStore } from '../store/batch-record';
import type { StudioDB } from './idb-database';

/**
 * The editor's batches in IndexedDB (`batches`, by batch id, indexed by owner tab). Image cells
 * and outputs are asset references: their bytes live in `assets` (content-addressed, never
 * removed), so a stored batch never holds image bytes itself.
 */
export function createIdbBatchStore(db: IDBPDatabase<StudioDB>): BatchRecordStore {
  return {
    async save(record) {
      await db.put('batches', record);
    },
    async get(batchId) {
      return parseBatchRecord(await db.get('batches', batchId));
    },
    async latest(ownerId) {
      const mine = (await db.getAllFromIndex('batches', 'ownerId', ownerId)).map(parseBatchRecord).filter((r): r is BatchRecord => r !== undefined);
      return mine.sort((a, b) => b.updatedAt - a.updatedAt)[0];
    },
    async delete(batchId) {
      await db.delete('batches', batchId);
    },
  };
}
