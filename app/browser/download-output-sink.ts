import { zipSync } from 'fflate';
import type { AssetStore, OutputSink } from '../graph/node-definition';
import { readImageInfo } from '../lib/image-info';
import { abortReason } from '../lib/clock';

/** More images than this are saved as one zip instead of one download each. */
export const ZIP_THRESHOLD = 3;

const EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/**
 * The browser's Save: the images go to the downloads folder, one file each (`prefix-01.png`), or
 * one `prefix.zip` when there are more than {@link ZIP_THRESHOLD} (browsers block bursts of
 * downloads). Images are stored, not recompressed.
 */
export function createDownloadOutputSink(assets: AssetStore, download: (name: string, blob: Blob) => void): OutputSink {
  return {
    async save(images, { prefix, signal }) {
      const files: { name: string; bytes: Uint8Array; mime: string }[] = [];
      const width = Math.max(2, String(images.length).length);
      for (const [i, ref] of images.entries()) {
        if (signal.aborted) throw abortReason(signal);
        const bytes = await assets.get(ref, signal);
        const mime = ref.kind === 'asset' ? ref.mime : (readImageInfo(bytes)?.mime ?? 'image/png');
        files.push({ name: `${prefix}-${String(i + 1).padStart(width, '0')}.${EXT[mime] ?? 'png'}`, bytes, mime });
      }
      if (signal.aborted) throw abortReason(signal);
      if (files.length > ZIP_THRESHOLD) {
        const zip = zipSync(Object.fromEntries(files.map((f) => [f.name, [f.bytes, { level: 0 }] as const])));
        const name = `${prefix}.zip`;
        download(name, new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
        return [name];
      }
      for (const f of files) download(f.name, new Blob([f.bytes as Uint8Array<ArrayBuffer>], { type: f.mime }));
      return files.map((f) => f.name);
    },
  };
}
