import type { IDBPDatabase } from 'idb';
import type { StudioDB } from './idb-database';

/**
 * Whether this tab left a batch (running or shown) in IndexedDB: read without parsing, so the
 * page loads the batch engine at start-up only when there is one to show or continue.
 */
export async function hasBatchOf(db: IDBPDatabase<StudioDB>, ownerId: string): Promise<boolean> {
  try {
    return (await db.countFromIndex('batches', 'ownerId', ownerId)) > 0;
  } catch {
    return false;
  }
}
