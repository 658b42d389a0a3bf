import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRunTimeSnapshot, type RunTimeSnapshot, type RunTimeStore } from '../api/run-time-model';

/**
 * Learned run times in `<cache-dir>/run-times.json`, so every CLI run starts with what earlier
 * runs measured. Written atomically (temp file, then rename), so a reader sees the old file or
 * the new one, never half of one; concurrent writers (parallel runs on one cache dir) are last
 * one wins, which loses at most a few observations of a cache. A missing, corrupt or older file
 * loads as undefined (the model starts cold): learned times only save requests.
 */
export class FileRunTimeStore implements RunTimeStore {
  readonly path: string;

  constructor(private readonly cacheDir: string) {
    this.path = join(cacheDir, 'run-times.json');
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

  /** Rejects when the file cannot be written (the caller decides whether that matters; it never should fail a job). */
  async save(snapshot: RunTimeSnapshot): Promise<void> {
    // A unique temp name per write, so two saves in flight never write into the same temp file.
    const tmp = `${this.path}.${process.pid}.${randomUUID()}.tmp`;
    try {
      await mkdir(this.cacheDir, { recursive: true });
      await writeFile(tmp, JSON.stringify(snapshot));
      await rename(tmp, this.path);
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw new Error(`Could not save learned run times to ${this.path}; polling still works, starting from guesses next time.`, { cause: e });
    }
  }
}
