import type { IDBPDatabase } from 'idb';
import type { CachedResult, CacheStore } from '../engine/cache';
import type { StudioDB } from './idb-database';

/**
 * Node results by cache key in IndexedDB. Results hold image references (their bytes are in
 * the asset store), so records are small. A failing write is reported by the executor as a
 * warning and never fails a run.
 */
export function createIdbCacheStore(db: IDBPDatabase<StudioDB>): CacheStore & { has(key: string): Promise<boolean> } {
  return {
    get: (key) => db.get('results', key),
    async set(key, result: CachedResult) {
      await db.put('results', result, key);
    },
    async has(key) {
      return (await db.getKey('results', key)) !== undefined;
    },
  };
}
