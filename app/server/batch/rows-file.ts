import { readFile, stat } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { formatOfName, parseRows, type ImageResolver, type RowsTable } from '../../batch';
import type { ImageRef } from '../../graph/ports';
import type { AssetStore } from '../../graph/node-definition';
import { UsageError } from '../cli/args';
import { imageFromArg } from '../cli/workflow-source';

/** Largest rows file read (text is held whole while parsing; 1,000 rows of paths and prompts are well under 1 MB). */
export const MAX_ROWS_FILE_BYTES = 64 * 1024 * 1024;

/** A rows file, parsed, with what its image cells are relative to. */
export interface RowsFile {
  path: string;
  /** As the user named it, for messages (`rows.csv:12`). */
  shown: string;
  table: RowsTable;
  /** Image paths in cells are relative to the rows file's folder; https URLs pass through. */
  images: ImageResolver;
}

/** Reads and parses `--rows` (format by extension: .csv, .tsv/.tab, .jsonl/.ndjson). Throws UsageError for a missing or unnamed file. */
export async function readRowsFile(arg: string, cwd: string, assets: AssetStore): Promise<RowsFile> {
  const path = resolve(cwd, arg);
  const format = formatOfName(path);
  if (!format) throw new UsageError(`--rows ${arg}: name the file .csv, .tsv or .jsonl so its format is known.`);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`--rows ${arg}: no such file (${path}).`);
  if (info.size > MAX_ROWS_FILE_BYTES)
    throw new UsageError(`--rows ${arg} is ${(info.size / 1048576).toFixed(0)} MiB; split it (at most ${MAX_ROWS_FILE_BYTES / 1048576} MiB).`);
  const text = await readFile(path, 'utf8');
  const base = dirname(path);
  const near = relative(cwd, path);
  const shown = near && !near.startsWith('..') ? near : path;
  return { path, shown, table: parseRows(text, format), images: fileImages(base, assets) };
}

/**
 * Image cells as `--set` reads them, relative to `base`. A file is read and stored once per
 * content seen (keyed by path, size and modification time, so an edited file is read again):
 * 1,000 rows naming one picture store it once, and a row resolved again for its run (see
 * run-batch.ts) reads nothing new unless the file changed — which its fingerprint then shows.
 */
export function fileImages(base: string, assets: AssetStore): ImageResolver {
  const seen = new Map<string, Promise<ImageRef>>();
  return async (raw) => {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return imageFromArg(raw, assets, base);
    const path = resolve(base, raw);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return imageFromArg(raw, assets, base);
    const key = `${path}\0${info.size}\0${info.mtimeMs}`;
    let ref = seen.get(key);
    if (!ref) {
      ref = imageFromArg(raw, assets, base);
      seen.set(key, ref);
      ref.catch(() => seen.delete(key));
    }
    return ref;
  };
}
