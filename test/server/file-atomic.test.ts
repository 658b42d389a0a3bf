import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../app/server/file-atomic';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-atomic-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it.each([
    ['text', false],
    ['text, flushed to disk', true],
  ])('replaces a file with new %s and leaves no temp file', async (_what, sync) => {
    const path = join(dir, 'record.json');
    await writeFile(path, 'old');
    await writeFileAtomic(path, '{"new":true}', { sync });
    expect(await readFile(path, 'utf8')).toBe('{"new":true}');
    expect(await readdir(dir)).toEqual(['record.json']);
  });

  it('writes bytes, one file per write when many run at once', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => writeFileAtomic(join(dir, `f${i % 4}.bin`), new Uint8Array([i]))));
    expect((await readdir(dir)).sort()).toEqual(['f0.bin', 'f1.bin', 'f2.bin', 'f3.bin']);
  });

  it('keeps the old file and removes its temp file when the rename fails', async () => {
    const path = join(dir, 'taken');
    await mkdir(join(path, 'inside'), { recursive: true });
    await expect(writeFileAtomic(path, 'x')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['taken']);
  });

  it('rejects without leaving anything when the folder is missing', async () => {
    await expect(writeFileAtomic(join(dir, 'no', 'such.json'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });
});
