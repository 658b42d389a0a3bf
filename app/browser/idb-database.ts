import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { CachedResult } from '../engine/cache';

/** One stored image: content-addressed by the SHA-256 of its bytes. */
export interface StoredAsset {
  id: string;
  bytes: Uint8Array;
  mime: 'image/png' | 'image/jpeg' | 'image/webp';
  width?: number;
  height?: number;
  name?: string;
  sourceUrl?: string;
}

export interface StudioDB extends DBSchema {
  /** The current workflow (key `current`), saved by the autosave. */
  workflows: { key: string; value: unknown };
  assets: { key: string; value: StoredAsset };
  /** Node results by cache key, so cached nodes stay free after a reload. */
  results: { key: string; value: CachedResult };
}

export const DB_NAME = 'sequence-studio';
/** Bump with a new `upgrade` step when the stores change; never edit a published step. */
export const DB_VERSION = 1;

/** Opens (creating or upgrading) the editor's IndexedDB database. */
export function openStudioDB(name = DB_NAME): Promise<IDBPDatabase<StudioDB>> {
  return openDB<StudioDB>(name, DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore('workflows');
        db.createObjectStore('assets', { keyPath: 'id' });
        db.createObjectStore('results');
      }
    },
  });
}
