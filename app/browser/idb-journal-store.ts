import type { IDBPDatabase } from 'idb';
import { zJournalEntry, type JournalEntry, type JournalStore } from '../engine/seedream-journal';
import type { StudioDB } from './idb-database';

/**
 * The request journal in IndexedDB: one record per paid request id still in flight (or lost),
 * written before the first poll. Records this version cannot read are left in place (never
 * deleted: they may be someone's paid job), just not listed.
 */
export function createIdbJournalStore(db: IDBPDatabase<StudioDB>): JournalStore {
  return {
    async put(entry: JournalEntry) {
      await db.put('journal', zJournalEntry.parse(entry));
    },
    async delete(requestId: string) {
      await db.delete('journal', requestId);
    },
    async list() {
      const entries: JournalEntry[] = [];
      for (const raw of await db.getAll('journal')) {
        const parsed = zJournalEntry.safeParse(raw);
        if (parsed.success) entries.push(parsed.data);
      }
      return entries.sort((a, b) => a.submittedAt - b.submittedAt);
    },
  };
}
