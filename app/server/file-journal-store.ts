import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zJournalEntry, type JournalEntry, type JournalStore } from '../engine/seedream-journal';

/**
 * The request journal in a folder (`<cache-dir>/journal/<request id>.json`), written atomically,
 * so a CLI run that was interrupted or crashed leaves its paid request ids for the next run.
 */
export class FileJournalStore implements JournalStore {
  private readonly dir: string;

  constructor(cacheDir: string) {
    this.dir = join(cacheDir, 'journal');
  }

  async put(entry: JournalEntry): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const path = this.pathOf(entry.requestId);
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(entry));
    await rename(tmp, path);
  }

  async delete(requestId: string): Promise<void> {
    await rm(this.pathOf(requestId), { force: true });
  }

  async list(): Promise<JournalEntry[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const entries: JournalEntry[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      try {
        const parsed = zJournalEntry.safeParse(JSON.parse(await readFile(join(this.dir, name), 'utf8')));
        if (parsed.success) entries.push(parsed.data);
      } catch {
        // A file we cannot read is left in place for a person to look at, never deleted.
      }
    }
    return entries.sort((a, b) => a.submittedAt - b.submittedAt);
  }

  private pathOf(requestId: string): string {
    // Request ids are API-chosen; keep the file name safe whatever they contain.
    return join(this.dir, `${encodeURIComponent(requestId)}.json`);
  }
}
