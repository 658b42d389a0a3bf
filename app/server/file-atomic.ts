import { open, rename, rm } from 'node:fs/promises';

let tmpSeq = 0;

/**
 * Writes `data` to `path` atomically: into a temp file beside it, then renamed over it (readers
 * see the old file or the new, never half). `sync` flushes the bytes to disk before the rename,
 * so the new file also survives a power cut (the folder's entry is the caller's to flush).
 *
 * The temp file is closed while it is renamed rather than before: its bytes are written (and
 * flushed when asked) by then, and each file operation is a round trip to the thread pool on
 * the path of a row, so a write takes three of them, not four. A close that fails is still an
 * error of the write.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, o: { sync?: boolean } = {}): Promise<void> {
  const tmp = `${path}.${process.pid}.${++tmpSeq}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    if (o.sync) await handle.sync();
  } catch (e) {
    await handle.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  const closed = handle.close();
  try {
    await rename(tmp, path);
  } catch (e) {
    await closed.catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  await closed;
}
