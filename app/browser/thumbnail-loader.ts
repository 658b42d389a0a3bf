import type { AssetStore } from '../graph/node-definition';
import type { ImageRef } from '../graph/ports';
import { readImageInfo } from '../lib/image-info';
import type { ImageLoader } from '../ui/studio-context';

const keyOf = (ref: ImageRef) => (ref.kind === 'asset' ? ref.assetId : ref.url);

/**
 * Thumbnails decoded at the size they are shown: `createImageBitmap` with a resize target makes
 * the browser decode straight to a small bitmap, which is re-encoded as a small WebP/JPEG and
 * kept as an object URL (LRU, revoked on eviction). A 4K frame never becomes a 4K bitmap just
 * to fill a 64 px box.
 */
export function createThumbnailLoader(assets: AssetStore, maxEntries = 400): ImageLoader {
  const cache = new Map<string, Promise<string>>();

  const evict = () => {
    while (cache.size > maxEntries) {
      const oldest = cache.keys().next();
      if (oldest.done) return;
      const url = cache.get(oldest.value);
      cache.delete(oldest.value);
      void url?.then(
        (u) => URL.revokeObjectURL(u),
        () => undefined,
      );
    }
  };

  const original = async (ref: ImageRef, signal?: AbortSignal): Promise<Blob> => {
    const bytes = await assets.get(ref, signal);
    const mime = ref.kind === 'asset' ? ref.mime : (readImageInfo(bytes)?.mime ?? 'image/png');
    return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime });
  };

  const make = async (ref: ImageRef, maxSide: number): Promise<string> => {
    const blob = await original(ref);
    let width = ref.kind === 'asset' ? ref.width : undefined;
    let height = ref.kind === 'asset' ? ref.height : undefined;
    if (!width || !height) {
      const info = readImageInfo(new Uint8Array(await blob.slice(0, 256 * 1024).arrayBuffer()));
      width = info?.width;
      height = info?.height;
    }
    if (!width || !height || typeof createImageBitmap !== 'function') return URL.createObjectURL(blob);
    const scale = Math.min(1, maxSide / Math.max(width, height));
    if (scale === 1) return URL.createObjectURL(blob);
    const w = Math.max(1, Math.round(width * scale));
    const h = Math.max(1, Math.round(height * scale));
    const bitmap = await createImageBitmap(blob, { resizeWidth: w, resizeHeight: h, resizeQuality: 'medium' });
    try {
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d');
      if (!ctx) return URL.createObjectURL(blob);
      ctx.drawImage(bitmap, 0, 0);
      const small = await canvas.convertToBlob({ type: 'image/webp', quality: 0.85 });
      return URL.createObjectURL(small);
    } finally {
      bitmap.close();
    }
  };

  return {
    thumbnail(ref, maxSide) {
      const key = `${keyOf(ref)}@${Math.round(maxSide)}`;
      let hit = cache.get(key);
      if (hit) {
        cache.delete(key);
        cache.set(key, hit);
        return hit;
      }
      hit = make(ref, maxSide);
      cache.set(key, hit);
      hit.catch(() => cache.delete(key));
      evict();
      return hit;
    },
    original,
  };
}
