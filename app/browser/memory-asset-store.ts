import type { AssetStore } from '../graph/node-definition';
import { assetProxyUrl } from '../lib/app-config';
import { bytesHash } from '../lib/hash';
import { readImageInfo } from '../lib/image-info';

/** Assets in memory: the fallback when IndexedDB cannot open (some private modes). */
export function createMemoryAssetStore(): AssetStore {
  const memory = new Map<string, Uint8Array>();
  return {
    async put(bytes, hints = {}) {
      const info = readImageInfo(bytes);
      if (!info) throw new Error('This is not a PNG, JPEG or WebP image.');
      const assetId = bytesHash(bytes);
      memory.set(assetId, bytes);
      return { kind: 'asset', assetId, mime: info.mime, width: info.width, height: info.height, ...hints };
    },
    async get(ref, signal) {
      if (ref.kind === 'asset') {
        const bytes = memory.get(ref.assetId);
        if (!bytes) throw new Error('This image is no longer in memory. Load it again.');
        return bytes;
      }
      const res = await fetch(assetProxyUrl(ref.url), signal ? { signal } : {});
      if (!res.ok) throw new Error(`${ref.url} answered HTTP ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    },
  };
}
