import type { AssetStore } from '../graph/node-definition';
import { readImageInfo } from '../lib/image-info';
import {
  ACCEPTED_IMAGE_MIME,
  MAX_ASPECT_RATIO_EXCLUSIVE,
  MAX_IMAGE_BYTES,
  MAX_IMAGE_SIDE_EXCLUSIVE,
  MIN_ASPECT_RATIO_EXCLUSIVE,
  MIN_IMAGE_SIDE_EXCLUSIVE,
} from '../model/seedream';
import type { ImportResult } from '../ui/studio-context';

const mib = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

/**
 * Checks a local image against Seedream's reference rules (PNG or JPEG by content, under 10 MB,
 * sides 15–5999 px, aspect within 1:16–16:1) and stores it. Problems come back as sentences.
 */
export async function importImageFile(assets: AssetStore, file: Blob, name?: string): Promise<ImportResult> {
  if (file.size >= MAX_IMAGE_BYTES) {
    return { ok: false, message: `The file is ${mib(file.size)}; Seedream takes images under ${mib(MAX_IMAGE_BYTES)}.` };
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  const info = readImageInfo(bytes);
  if (!info || !(ACCEPTED_IMAGE_MIME as readonly string[]).includes(info.mime)) {
    return { ok: false, message: 'Only PNG and JPEG images can be used as references.' };
  }
  const { width, height } = info;
  if (Math.min(width, height) <= MIN_IMAGE_SIDE_EXCLUSIVE || Math.max(width, height) >= MAX_IMAGE_SIDE_EXCLUSIVE) {
    return {
      ok: false,
      message: `The image is ${width}×${height}; each side must be between ${MIN_IMAGE_SIDE_EXCLUSIVE + 1} and ${MAX_IMAGE_SIDE_EXCLUSIVE - 1} px.`,
    };
  }
  const aspect = width / height;
  if (aspect <= MIN_ASPECT_RATIO_EXCLUSIVE || aspect >= MAX_ASPECT_RATIO_EXCLUSIVE) {
    return { ok: false, message: `The image is ${width}×${height}; its aspect ratio must be within 1:16 to 16:1.` };
  }
  try {
    const ref = await assets.put(bytes, name ? { name } : {});
    return { ok: true, ref };
  } catch (err) {
    const quota = err instanceof Error && err.name === 'QuotaExceededError';
    return {
      ok: false,
      message: quota
        ? 'Browser storage is full: the image could not be stored.'
        : `The image could not be stored: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}
