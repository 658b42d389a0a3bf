import { hostname } from 'node:os';
import { mkdir, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJobRecord, type JobRecord } from '../ledger/job-record';
import { IndexedLedgerStore } from '../ledger/ledger-store';
import { recordFromJournalEntry, zOldJournalEntry } from '../ledger/journal-migration';
import { writeFileAtomic } from './file-atomic';
import { isProcessAlive, processStartTime } from './owner-liveness';

/** Another process holds the ledger of this cache dir. */
export class LedgerLockedError extends Error {
  readonly code = 'ledger-locked';
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `Another run (process ${pid}) is using the ledger in ${dir}. Wait for it to finish, or use another --cache-dir; two runs on one ledger could pay twice for the same work.`,
    );
    this.name = 'LedgerLockedError';
  }
}

export interface FileLedgerOpenReport {
  store: FileLedgerStore;
  /** Files that are not job records (left in place for a person to look at). */
  unreadable: { file: string; problem: string }[];
  /** Request ids carried over from the old request journal (`journal/`). */
  migrated: number;
}

/** Records whose loss would cost money (an intent, a fresh request id) are fsynced before `put` resolves. */
const mustSync = (r: JobRecord) => r.state === 'intent' || r.state === 'submitted' || r.state === 'unknown-submission';

/**
 * The job ledger in a folder (`<cache-dir>/ledger/<job id>.json`), for the CLI and batch runs:
 * one writer at a time (a lock file naming its pid; a dead holder's lock is taken over), every
 * write atomic (write to a temp file, fsync when it matters, rename, fsync the folder), and an
 * in-memory index so lookups do not read every file. Request ids in the old request journal
 * are carried over as records on open, so an upgrade loses none.
 */
export class FileLedgerStore extends IndexedLedgerStore {
  /** The ledger folder, open for as long as the store is: fsyncing it costs one call, not three. */
  private dirHandle: Promise<FileHandle | undefined> | undefined;
  /** The folder flush running now, and the one callers arriving meanwhile wait for. */
  private dirFlush: Promise<void> | undefined;
  private nextDirFlush: Promise<void> | undefined;

  private constructor(readonly dir: string) {
    super();
  }

  /** Opens (creating) the ledger of `cacheDir`, taking its lock. Throws LedgerLockedError when a living process holds it. */
  static async open(cacheDir: string, options: { endpoint: string }): Promise<FileLedgerOpenReport> {
    const store = new FileLedgerStore(join(cacheDir, 'ledger'));
    await mkdir(store.dir, { recursive: true });
    await store.lock();
    const unreadable: FileLedgerOpenReport['unreadable'] = [];
    for (const name of await readdir(store.dir)) {
      if (!name.endsWith('.json')) continue;
      try {
        const parsed = parseJobRecord(JSON.parse(await readFile(join(store.dir, name), 'utf8')));
        if (parsed.ok) store.records.set(parsed.record.jobId, parsed.record);
        else unreadable.push({ file: name, problem: parsed.problem });
      } catch (e) {
        unreadable.push({ file: name, problem: e instanceof Error ? e.message : String(e) });
      }
    }
    const migrated = await store.migrateJournal(join(cacheDir, 'journal'), options.endpoint);
    return { store, unreadable, migrated };
  }

  protected async persist(record: JobRecord): Promise<void> {
    await writeFileAtomic(this.pathOf(record.jobId), JSON.stringify(record), { sync: mustSync(record) });
    if (mustSync(record)) await this.syncDir();
  }

  /** Gives the lock up (the process is done with this ledger). */
  async close(): Promise<void> {
    const handle = this.dirHandle;
    this.dirHandle = undefined;
    await (await handle)?.close().catch(() => undefined);
    const lock = join(this.dir, '.lock');
    try {
      const held = JSON.parse(await readFile(lock, 'utf8')) as { pid?: number };
      if (held.pid === process.pid) await rm(lock, { force: true });
    } catch {
      // Already gone.
    }
  }

  private async lock(): Promise<void> {
    const lock = join(this.dir, '.lock');
    const started = processStartTime(process.pid);
    const mine = JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString(), ...(started ? { started } : {}) });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fh = await open(lock, 'wx');
        await fh.writeFile(mine);
        await fh.close();
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      let held: { pid?: number; host?: string; started?: string } = {};
      try {
        held = JSON.parse(await readFile(lock, 'utf8')) as typeof held;
      } catch {
        // Half-written by a process that died: stale.
      }
      const sameHost = held.host === undefined || held.host === hostname();
      if (typeof held.pid === 'number' && held.pid !== process.pid && (!sameHost || isProcessAlive(held.pid, held.started))) {
        throw new LedgerLockedError(this.dir, held.pid);
      }
      await rm(lock, { force: true });
    }
    throw new Error(`Could not take the ledger lock in ${this.dir}.`);
  }

  /**
   * Flushes the folder's entries. Callers at once share flushes: one that arrives while a flush
   * runs waits for the next one (which starts after its rename, so it covers it), and every
   * caller arriving meanwhile joins that same next flush — 16 rows recording intents together
   * cost two folder fsyncs, not 16.
   */
  private syncDir(): Promise<void> {
    if (!this.dirFlush) {
      this.dirFlush = this.flushDir().finally(() => (this.dirFlush = undefined));
      return this.dirFlush;
    }
    const next = () => {
      this.nextDirFlush = undefined;
      return this.syncDir();
    };
    return (this.nextDirFlush ??= this.dirFlush.then(next, next));
  }

  private async flushDir(): Promise<void> {
    const handle = await (this.dirHandle ??= open(this.dir, 'r').catch(() => undefined));
    if (!handle) {
      this.dirHandle = undefined;
      return;
    }
    try {
      await handle.sync();
    } catch {
      // Some filesystems cannot fsync a directory; the rename is still atomic.
    }
  }

  /** Carries the old request journal's in-flight ids over as records (see journal-migration.ts). */
  private async migrateJournal(dir: string, endpoint: string): Promise<number> {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith('.json'));
    } catch {
      return 0;
    }
    let migrated = 0;
    for (const name of names) {
      try {
        const entry = zOldJournalEntry.parse(JSON.parse(await readFile(join(dir, name), 'utf8')));
        const record = recordFromJournalEntry(entry, endpoint);
        if (!this.records.has(record.jobId)) await this.put(record);
        await rm(join(dir, name), { force: true });
        migrated++;
      } catch {
        // An entry we cannot read stays where it is.
      }
    }
    return migrated;
  }

  private pathOf(jobId: string): string {
    return join(this.dir, `${encodeURIComponent(jobId)}.json`);
  }
}
