import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AssetStore } from '../graph/node-definition';
import type { ImageRef } from '../graph/ports';
import { bytesHash } from '../lib/hash';
import { readImageInfo } from '../lib/image-info';
import { writeFileAtomic } from './file-atomic';
import { inFolder } from './file-dirs';
import { RecentBytes } from './file-recent-bytes';

type AssetRef = ImageRef & { kind: 'asset' };

/** Fetches the bytes of a remote (https) image; supplied by the host with its download rules. */
export type RemoteImageFetcher = (url: string, signal?: AbortSignal) => Promise<Uint8Array>;

/** Recent assets kept in memory: a batch reads its reference and each new output again (defaults). */
const RECENT_BYTES = 32 * 1024 * 1024;
const RECENT_ITEM_BYTES = 8 * 1024 * 1024;

/**
 * Content-addressed image bytes in a folder (`<dir>/<sha256>.<ext>`), for the CLI and the server.
 * Writing is atomic (temp file + rename), so a crash never leaves a half-written asset that a
 * later run would trust. Recently stored or read assets are also kept in memory (bounded): a
 * batch reads the same reference for every row, and every output right after storing it, and
 * each read from disk costs several system calls. An asset's bytes never change (its name is
 * their hash), so a copy in memory is never stale.
 */
export class FileAssetStore implements AssetStore {
  private readonly recent: RecentBytes;

  constructor(
    private readonly dir: string,
    private readonly fetchRemote?: RemoteImageFetcher,
    recent: { maxBytes?: number; maxItemBytes?: number } = {},
  ) {
    this.recent = new RecentBytes(recent.maxBytes ?? RECENT_BYTES, recent.maxItemBytes ?? RECENT_ITEM_BYTES);
  }

  async put(bytes: Uint8Array, hints: { name?: string; sourceUrl?: string } = {}): Promise<AssetRef> {
    const info = readImageInfo(bytes);
    if (!info) throw new Error(`Not a PNG, JPEG or WebP image${hints.name ? `: ${hints.name}` : ''} (checked by content, not file name).`);
    const assetId = bytesHash(bytes);
    const path = this.pathOf(assetId, info.mime);
    await inFolder(this.dir, () => writeFileAtomic(path, bytes));
    this.recent.set(path, bytes);
    return {
      kind: 'asset',
      assetId,
      mime: info.mime,
      width: info.width,
      height: info.height,
      ...(hints.name ? { name: hints.name } : {}),
      ...(hints.sourceUrl ? { sourceUrl: hints.sourceUrl } : {}),
    };
  }

  async get(ref: ImageRef, signal?: AbortSignal): Promise<Uint8Array> {
    if (ref.kind === 'url') {
      if (!this.fetchRemote) throw new Error(`Remote image ${ref.url} cannot be read here: no downloader configured.`);
      return this.fetchRemote(ref.url, signal);
    }
    const path = this.pathOf(ref.assetId, ref.mime);
    const kept = this.recent.get(path);
    if (kept) return kept;
    try {
      const bytes = new Uint8Array(await readFile(path));
      this.recent.set(path, bytes);
      return bytes;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error(`Image asset ${ref.assetId.slice(0, 12)}… is missing from ${this.dir}.`, { cause: e });
      }
      throw e;
    }
  }

  /** Where an asset's bytes live on disk. */
  pathOf(assetId: string, mime: AssetRef['mime']): string {
    return join(this.dir, `${assetId}.${extensionOf(mime)}`);
  }
}

export function extensionOf(mime: AssetRef['mime']): string {
  return mime === 'image/png' ? 'png' : mime === 'image/jpeg' ? 'jpg' : 'webp';
}
