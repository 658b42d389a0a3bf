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

/**
 * The cache of one upstream: results made against a simulator are never served for RunComfy
 * (and back). RunComfy's own results keep their plain keys, so results cached before upstreams
 * were told apart stay valid there.
 */
export function namespacedCache(cache: CacheStore, upstream: string): CacheStore {
  if (upstream.startsWith('runcomfy:')) return cache;
  const key = (k: string) => `${upstream}|${k}`;
  return { get: (k) => cache.get(key(k)), set: (k, v) => cache.set(key(k), v) };
}
