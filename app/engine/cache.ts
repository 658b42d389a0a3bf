import type { NodeMeta, NodeOutputs } from './events';

/** What the cache keeps per node run: its outputs and its annotations. */
export interface CachedResult {
  outputs: NodeOutputs;
  meta: NodeMeta;
}

/**
 * Where results are kept between runs, keyed by a node's Merkle cache key. Async so that
 * persistent stores (IndexedDB in the browser, files in Node) fit the same interface.
 */
export interface CacheStore {
  get(key: string): Promise<CachedResult | undefined>;
  set(key: string, result: CachedResult): Promise<void>;
}

/**
 * An in-memory cache, least recently used entries evicted past `maxEntries`. Values are copied
 * in and out so a node mutating its inputs cannot corrupt what later runs get.
 */
export class MemoryCache implements CacheStore {
  private readonly entries = new Map<string, CachedResult>();

  constructor(private readonly maxEntries = 1_000) {}

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): Promise<CachedResult | undefined> {
    const hit = this.entries.get(key);
    if (hit === undefined) return Promise.resolve(undefined);
    // Re-inserting moves the entry to the young end of the Map's insertion order.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return Promise.resolve(structuredClone(hit));
  }

  set(key: string, result: CachedResult): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, structuredClone(result));
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    return Promise.resolve();
  }

  clear(): void {
    this.entries.clear();
  }
}
