import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { CachedResult } from '../engine/cache';
import { recordFromJournalEntry, zOldJournalEntry, type JobRecord, type OldJournalEntry } from '../ledger';
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
  /** v2: the old request journal. Read once by the v3 upgrade (into `ledger`), never written since; kept, never deleted. */
  journal: { key: string; value: OldJournalEntry };
  /** v2: the user's templates, by id. */
  templates: { key: string; value: UserTemplate; indexes: { updatedAt: string } };
  /** v2: every completed generation, by request id; images are asset ids in `assets`. */
  history: { key: string; value: HistoryEntry; indexes: { finishedAt: number } };
  /** v3: the job ledger, one record per paid job (see app/ledger), by job id. */
  ledger: { key: string; value: JobRecord; indexes: { cacheKey: string } };
  /** v3: the run each tab has in progress (see store/run-record), by owner (tab) id. */
  runs: { key: string; value: unknown };
  /** v3: small host state by name (learned run times). */
  settings: { key: string; value: unknown };
  /** v4: the editor's batches (see store/batch-record), by batch id; read through parseBatchRecord. */
  batches: { key: string; value: unknown; indexes: { ownerId: string } };
  /** v5: workflows saved by name (Ctrl+S; see store/workflow-library), by id; read through parseSavedWorkflow. */
  saved: { key: string; value: unknown; indexes: { updatedAt: string } };
  /** v5: each window's open tabs (see store/tab-session), by owner id; tab workflows are in `workflows` under `tab:<id>`. */
  sessions: { key: string; value: unknown; indexes: { updatedAt: number } };
}

export const DB_NAME = 'sequence-studio';
/** Bump with a new `upgrade` step when the stores change; never edit a published step. */
export const DB_VERSION = 5;

export interface OpenStudioDBOptions {
  /**
   * Another tab wants a newer version: this connection is closed at once (so that tab is not
   * blocked) and this is called so the page can say it must be reloaded.
   */
  onVersionChange?: () => void;
  /**
   * Where this host sends paid jobs now (the provider's endpoint): the v3 upgrade writes the old
   * journal's request ids into the ledger under it, so none an earlier version recorded is lost.
   */
  journalEndpoint?: string;
}

/** Opens (creating or upgrading) the editor's IndexedDB database. Upgrades keep every old store. */
export function openStudioDB(name = DB_NAME, options: OpenStudioDBOptions = {}): Promise<IDBPDatabase<StudioDB>> {
  let opened: IDBPDatabase<StudioDB> | undefined;
  const db = openDB<StudioDB>(name, DB_VERSION, {
    async upgrade(db, oldVersion, _newVersion, tx) {
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
      if (oldVersion < 3) {
        db.createObjectStore('ledger', { keyPath: 'jobId' }).createIndex('cacheKey', 'cacheKey');
        db.createObjectStore('runs');
        db.createObjectStore('settings');
        // Only IndexedDB requests are awaited here, so the upgrade transaction stays open.
        const ledger = tx.objectStore('ledger');
        for (const raw of await tx.objectStore('journal').getAll()) {
          const entry = zOldJournalEntry.safeParse(raw);
          // Unreadable entries stay in `journal` for a person to look at.
          if (entry.success) await ledger.put(recordFromJournalEntry(entry.data, options.journalEndpoint ?? ''));
        }
      }
      if (oldVersion < 4) {
        db.createObjectStore('batches', { keyPath: 'batchId' }).createIndex('ownerId', 'ownerId');
      }
      if (oldVersion < 5) {
        db.createObjectStore('saved', { keyPath: 'id' }).createIndex('updatedAt', 'updatedAt');
        db.createObjectStore('sessions', { keyPath: 'ownerId' }).createIndex('updatedAt', 'updatedAt');
      }
    },
    blocking() {
      opened?.close();
      options.onVersionChange?.();
    },
  });
  return db.then((d) => (opened = d));
}
