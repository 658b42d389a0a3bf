import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRunTimeSnapshot, type RunTimeSnapshot, type RunTimeStore } from '../api/run-time-model';
import { realClock, type Clock } from '../lib/clock';
import { writeFileAtomic } from './file-atomic';
import { inFolder } from './file-dirs';

export interface FileRunTimeStoreOptions {
  /** `saveSoon` writes at most once per this many ms (default 1 s). */
  minIntervalMs?: number;
  /** Time for that interval (a fake clock in tests). */
  clock?: Clock;
}

/**
 * Learned run times in `<cache-dir>/run-times.json`, so every CLI run starts with what earlier
 * runs measured. Written atomically (temp file, then rename), so a reader sees the old file or
 * the new one, never half of one; this process's writes go one at a time, in order. Concurrent
 * writers (parallel runs on one cache dir) are last one wins, which loses at most a few
 * observations of a cache. A missing, corrupt or older file loads as undefined (the model starts
 * cold): learned times only save requests.
 */
export class FileRunTimeStore implements RunTimeStore {
  readonly path: string;
  private readonly minIntervalMs: number;
  private readonly clock: Clock;
  private chain: Promise<void> = Promise.resolve();
  private lastWriteAt = -Infinity;
  private pending: { take: () => RunTimeSnapshot; cancel: AbortController; done: Promise<void>; settle(p: Promise<void>): void } | undefined;

  constructor(
    private readonly cacheDir: string,
    o: FileRunTimeStoreOptions = {},
  ) {
    this.path = join(cacheDir, 'run-times.json');
    this.minIntervalMs = o.minIntervalMs ?? 1_000;
    this.clock = o.clock ?? realClock;
  }

  async load(): Promise<RunTimeSnapshot | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      // Missing or unreadable: nothing learned yet as far as this process can tell.
      return undefined;
    }
    try {
      return parseRunTimeSnapshot(JSON.parse(text));
    } catch {
      // Not JSON (a crash from before writes were atomic, a hand edit): start cold.
      return undefined;
    }
  }

  /**
   * Writes now (at exit and close), taking the place of a pending `saveSoon`. Rejects when the
   * file cannot be written (the caller decides whether that matters; it never should fail a job).
   */
  save(snapshot: RunTimeSnapshot): Promise<void> {
    const replaced = this.pending;
    this.pending = undefined;
    replaced?.cancel.abort();
    const run = this.enqueue(() => snapshot);
    replaced?.settle(run.catch(() => undefined));
    return run;
  }

  /**
   * Saves after a finished job without a write per job: at once when nothing was written in the
   * last interval, else once when it ends, with the snapshot `take` gives then. A process killed
   * outright loses at most that interval's learning; `save` at close writes the rest. Resolves
   * once a write that includes this snapshot is done; never rejects (a failed write is tried
   * again with the next save).
   */
  saveSoon(take: () => RunTimeSnapshot): Promise<void> {
    if (this.pending) {
      this.pending.take = take;
      return this.pending.done;
    }
    const wait = this.lastWriteAt + this.minIntervalMs - this.clock.now();
    if (wait <= 0) return this.enqueue(take).catch(() => undefined);
    let settle!: (p: Promise<void>) => void;
    const done = new Promise<void>((resolve) => (settle = resolve));
    const pending = { take, cancel: new AbortController(), done, settle };
    this.pending = pending;
    this.clock.sleep(wait, pending.cancel.signal).then(
      () => {
        if (this.pending !== pending) return;
        this.pending = undefined;
        pending.settle(this.enqueue(() => pending.take()).catch(() => undefined));
      },
      () => undefined,
    );
    return done;
  }

  private enqueue(take: () => RunTimeSnapshot): Promise<void> {
    this.lastWriteAt = this.clock.now();
    const run = this.chain.then(() => this.write(take()));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async write(snapshot: RunTimeSnapshot): Promise<void> {
    try {
      const text = JSON.stringify(snapshot);
      await inFolder(this.cacheDir, () => writeFileAtomic(this.path, text));
    } catch (e) {
      throw new Error(`Could not save learned run times to ${this.path}; polling still works, starting from guesses next time.`, { cause: e });
    }
  }
}
