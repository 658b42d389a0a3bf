import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { zImageRef, type ImageRef } from '../graph/ports';
import type { CacheStore, CachedResult } from '../engine/cache';
import type { FileAssetStore } from './file-asset-store';
import { writeFileAtomic } from './file-atomic';
import { inFolder } from './file-dirs';

const zPortValue = z.union([zImageRef, z.array(zImageRef), z.string(), z.number()]);
const zCachedResult = z.object({
  outputs: z.record(z.string(), zPortValue),
  meta: z.record(z.string(), z.unknown()).default({}),
});

/** Results whose text is kept in memory (a batch reads the same unchanged node's result for every row). */
const RECENT_RESULTS = 256;

/**
 * A persistent node-result cache in a folder (the CLI's `--cache-dir`): one JSON file per cache
 * key, image bytes in the folder's asset store. A result whose images are gone from disk, or
 * whose file does not parse, is a miss (and re-runs), never a broken output. The text of results
 * recently read is kept in memory too (a key's result never changes, only its images can go), so
 * a repeated hit reads no file; its images are still checked on disk every time.
 */
export class FileCacheStore implements CacheStore {
  private readonly dir: string;
  private readonly recent = new Map<string, string>();

  constructor(
    cacheDir: string,
    private readonly assets: FileAssetStore,
  ) {
    this.dir = join(cacheDir, 'results');
  }

  async get(key: string): Promise<CachedResult | undefined> {
    if (!/^[0-9a-f]{16,128}$/.test(key)) return undefined;
    let text = this.recent.get(key);
    if (text === undefined) {
      try {
        text = await readFile(join(this.dir, `${key}.json`), 'utf8');
      } catch {
        return undefined;
      }
    }
    let parsed: z.infer<typeof zCachedResult>;
    try {
      const result = zCachedResult.safeParse(JSON.parse(text));
      if (!result.success) return undefined;
      parsed = result.data;
    } catch {
      return undefined;
    }
    for (const ref of imagesIn(parsed.outputs)) {
      if (ref.kind !== 'asset') continue;
      try {
        await access(this.assets.pathOf(ref.assetId, ref.mime));
      } catch {
        return undefined;
      }
    }
    this.remember(key, text);
    return parsed as CachedResult;
  }

  async set(key: string, value: CachedResult): Promise<void> {
    const path = join(this.dir, `${key}.json`);
    const text = JSON.stringify(value);
    await inFolder(this.dir, () => writeFileAtomic(path, text));
    this.recent.delete(key);
  }

  private remember(key: string, text: string): void {
    this.recent.delete(key);
    this.recent.set(key, text);
    if (this.recent.size > RECENT_RESULTS) this.recent.delete(this.recent.keys().next().value!);
  }
}

function* imagesIn(outputs: Record<string, unknown>): Generator<ImageRef> {
  for (const v of Object.values(outputs)) {
    if (Array.isArray(v)) yield* v.filter((x): x is ImageRef => zImageRef.safeParse(x).success);
    else if (zImageRef.safeParse(v).success) yield v as ImageRef;
  }
}
