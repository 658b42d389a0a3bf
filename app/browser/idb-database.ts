import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { CachedResult } from '../engine/cache';
import type { JournalEntry } from '../engine/seedream-journal';
import type { HistoryEntry } from '../store/history-entry';
import type { UserTemplate } from '../store/user-templates';

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
  /** v2: paid request ids in flight, written before the first poll (see engine/seedream-journal). */
  journal: { key: string; value: JournalEntry };
  /** v2: the user's templates, by id. */
  templates: { key: string; value: UserTemplate; indexes: { updatedAt: string } };
  /** v2: every completed generation, by request id; images are asset ids in `assets`. */
  history: { key: string; value: HistoryEntry; indexes: { finishedAt: number } };
}

export const DB_NAME = 'sequence-studio';
/** Bump with a new `upgrade` step when the stores change; never edit a published step. */
export const DB_VERSION = 2;

export interface OpenStudioDBOptions {
  /**
   * Another tab wants a newer version: this connection is closed at once (so that tab is not
   * blocked) and this is called so the page can say it must be reloaded.
   */
  onVersionChange?: () => void;
}

/** Opens (creating or upgrading) the editor's IndexedDB database. Upgrades keep every old store. */
export function openStudioDB(name = DB_NAME, options: OpenStudioDBOptions = {}): Promise<IDBPDatabase<StudioDB>> {
  let opened: IDBPDatabase<StudioDB> | undefined;
  const db = openDB<StudioDB>(name, DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore('workflows');
        db.createObjectStore('assets', { keyPath: 'id' });
        db.createObjectStore('results');
      }
      if (oldVersion < 2) {
        db.createObjectStore('journal', { keyPath: 'requestId' });
        db.createObjectStore('templates', { keyPath: 'id' }).createIndex('updatedAt', 'updatedAt');
        db.createObjectStore('history', { keyPath: 'id' }).createIndex('finishedAt', 'finishedAt');
      }
    },
    blocking() {
      opened?.close();
      options.onVersionChange?.();
    },
  });
  return db.then((d) => (opened = d));
}
