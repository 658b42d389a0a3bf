import { mkdir } from 'node:fs/promises';

const missing = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * Runs `write` (which creates a file in `dir`), making `dir` (with its parents) only when the
 * write finds it missing, then writing once more. A `mkdir -p` before every write costs two
 * system calls (mkdir answers EEXIST, then a stat) on the hot path of every row of a batch;
 * trying first costs nothing once the folder exists, and a folder deleted while the process runs
 * is made again just the same.
 */
export async function inFolder<T>(dir: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (!missing(e)) throw e;
  }
  await mkdir(dir, { recursive: true });
  return write();
}
