import type { IDBPDatabase } from 'idb';
import { checkRevision, isUnfinished, parseJobRecord, type JobRecord, type LedgerStore } from '../ledger';
import { newestFirst } from '../ledger/ledger-store';
import type { StudioDB } from './idb-database';

/** Records this version can read; the others stay stored (they may be someone's paid job), just not listed. */
function readable(raws: readonly unknown[]): JobRecord[] {
  return raws.flatMap((raw) => {
    const parsed = parseJobRecord(raw);
    return parsed.ok ? [parsed.record] : [];
  });
}

/**
 * The job ledger in IndexedDB. A `put` reads the stored revision and writes the record in one
 * readwrite transaction with `strict` durability, and resolves only on the transaction's
 * `complete`: the intent is on disk before the submit leaves the tab, and a write made from a
 * stale copy (another tab moved the job on) is refused with `LedgerConflictError`.
 */
export function createIdbLedgerStore(db: IDBPDatabase<StudioDB>): LedgerStore {
  return {
    async put(record) {
      const tx = db.transaction('ledger', 'readwrite', { durability: 'strict' });
      try {
        checkRevision(parseStored(await tx.store.get(record.jobId)), record);
        await tx.store.put(record);
      } catch (e) {
        tx.abort();
        // The abort rejects `done`; the conflict (or the write's own error) is what matters.
        await tx.done.catch(() => undefined);
        throw e;
      }
      await tx.done;
    },
    async get(jobId) {
      return parseStored(await db.get('ledger', jobId));
    },
    async byCacheKey(cacheKey) {
      return readable(await db.getAllFromIndex('ledger', 'cacheKey', cacheKey)).sort(newestFirst);
    },
    async unfinished() {
      return readable(await db.getAll('ledger'))
        .filter(isUnfinished)
        .sort((a, b) => -newestFirst(a, b));
    },
    async list() {
      return readable(await db.getAll('ledger')).sort(newestFirst);
    },
  };
}

function parseStored(raw: unknown): JobRecord | undefined {
  if (raw === undefined) return undefined;
  const parsed = parseJobRecord(raw);
  return parsed.ok ? parsed.record : undefined;
}
