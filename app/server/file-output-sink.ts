import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AssetStore, OutputSink } from '../graph/node-definition';
import { sniffImageMime } from '../lib/image-info';
import { extensionOf } from './file-asset-store';

/** A file written by a Save node. */
export interface SavedFile {
  nodeId: string;
  file: string;
  index: number;
  assetId?: string;
  sourceUrl?: string;
}

/**
 * Save nodes in the CLI: writes `<prefix>_<nnnnn>.<ext>` into the output folder, never
 * overwriting an existing file (numbers continue past what is there).
 */
export class FileOutputSink implements OutputSink {
  readonly saved: SavedFile[] = [];
  private readonly taken = new Set<string>();

  constructor(
    private readonly outDir: string,
    private readonly assets: AssetStore,
  ) {}

  async save(images: Parameters<OutputSink['save']>[0], options: Parameters<OutputSink['save']>[1]): Promise<string[]> {
    await mkdir(this.outDir, { recursive: true });
    const names: string[] = [];
    let n = 1;
    for (const [index, ref] of images.entries()) {
      options.signal.throwIfAborted();
      const bytes = await this.assets.get(ref, options.signal);
      const mime = ref.kind === 'asset' ? ref.mime : (sniffImageMime(bytes) ?? 'image/png');
      const ext = extensionOf(mime);
      let name: string;
      // 'wx' never overwrites: earlier runs' files in the same folder are kept and numbering continues.
      for (;;) {
        name = `${options.prefix}_${String(n++).padStart(5, '0')}.${ext}`;
        if (this.taken.has(name)) continue;
        try {
          await writeFile(join(this.outDir, name), bytes, { flag: 'wx' });
          break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        }
      }
      this.taken.add(name);
      names.push(name);
      this.saved.push({
        nodeId: options.nodeId,
        file: name,
        index,
        ...(ref.kind === 'asset' ? { assetId: ref.assetId, ...(ref.sourceUrl ? { sourceUrl: ref.sourceUrl } : {}) } : { sourceUrl: ref.url }),
      });
    }
    return names;
  }
}
