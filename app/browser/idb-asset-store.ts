import type { IDBPDatabase } from 'idb';
import type { AssetStore } from '../graph/node-definition';
import type { ImageRef } from '../graph/ports';
import { assetProxyUrl } from '../lib/app-config';
import { bytesHash } from '../lib/hash';
import { readImageInfo } from '../lib/image-info';
import type { StudioDB } from './idb-database';

type AssetRef = ImageRef & { kind: 'asset' };

/** Thrown when an image's bytes cannot be had; `code` for the UI. */
export class AssetUnavailableError extends Error {
  readonly code = 'asset-unavailable';
  constructor(message: string) {
    super(message);
    this.name = 'AssetUnavailableError';
  }
}

/**
 * Image bytes in IndexedDB, content-addressed by SHA-256 (the same file stored twice is one
 * record). URL images are fetched through the server's same-origin image route (which applies
 * the download rules), falling back to a direct fetch for other https hosts.
 */
export function createIdbAssetStore(db: IDBPDatabase<StudioDB>, fetchImpl: typeof fetch = (u, i) => fetch(u, i)): AssetStore {
  const urlBytes = new Map<string, Promise<Uint8Array>>();

  const fetchUrl = async (url: string, signal?: AbortSignal): Promise<Uint8Array> => {
    const res = await fetchImpl(assetProxyUrl(url), signal ? { signal } : {});
    if (!res.ok) {
      const why = res.status === 502 || res.status === 504 ? 'could not be reached' : `answered HTTP ${res.status}`;
      throw new AssetUnavailableError(`${url} ${why}`);
    }
    return new Uint8Array(await res.arrayBuffer());
  };

  return {
    async put(bytes, hints = {}): Promise<AssetRef> {
      const info = readImageInfo(bytes);
      if (!info) throw new AssetUnavailableError('This is not a PNG, JPEG or WebP image.');
      const id = bytesHash(bytes);
      const record = {
        id,
        bytes,
        mime: info.mime,
        width: info.width,
        height: info.height,
        ...(hints.name ? { name: hints.name } : {}),
        ...(hints.sourceUrl ? { sourceUrl: hints.sourceUrl } : {}),
      };
      if ((await db.getKey('assets', id)) === undefined) await db.put('assets', record);
      return {
        kind: 'asset',
        assetId: id,
        mime: info.mime,
        width: info.width,
        height: info.height,
        ...(hints.name ? { name: hints.name } : {}),
        ...(hints.sourceUrl ? { sourceUrl: hints.sourceUrl } : {}),
      };
    },

    async get(ref, signal) {
      if (ref.kind === 'asset') {
        const found = await db.get('assets', ref.assetId);
        if (!found) {
          throw new AssetUnavailableError(`The image ${ref.name ?? ref.assetId.slice(0, 12)} is no longer stored in this browser. Load it again.`);
        }
        return found.bytes;
      }
      let pending = urlBytes.get(ref.url);
      if (!pending) {
        pending = fetchUrl(ref.url, signal);
        urlBytes.set(ref.url, pending);
        // Only concurrent reads share a fetch; the bytes are not kept in memory afterwards.
        void pending.then(
          () => urlBytes.delete(ref.url),
          () => urlBytes.delete(ref.url),
        );
      }
      return pending;
    },
  };
}
