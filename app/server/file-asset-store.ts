import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AssetStore } from '../graph/node-definition';
import type { ImageRef } from '../graph/ports';
import { bytesHash } from '../lib/hash';
import { readImageInfo } from '../lib/image-info';

type AssetRef = ImageRef & { kind: 'asset' };

/** Fetches the bytes of a remote (https) image; supplied by the host with its download rules. */
export type RemoteImageFetcher = (url: string, signal?: AbortSignal) => Promise<Uint8Array>;

/**
 * Content-addressed image bytes in a folder (`<dir>/<sha256>.<ext>`), for the CLI and the server.
 * Writing is atomic (temp file + rename), so a crash never leaves a half-written asset that a
 * later run would trust.
 */
export class FileAssetStore implements AssetStore {
  constructor(
    private readonly dir: string,
    private readonly fetchRemote?: RemoteImageFetcher,
  ) {}

  async put(bytes: Uint8Array, hints: { name?: string; sourceUrl?: string } = {}): Promise<AssetRef> {
    const info = readImageInfo(bytes);
    if (!info) throw new Error(`Not a PNG, JPEG or WebP image${hints.name ? `: ${hints.name}` : ''} (checked by content, not file name).`);
    const assetId = bytesHash(bytes);
    await mkdir(this.dir, { recursive: true });
    const path = this.pathOf(assetId, info.mime);
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, path);
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
    try {
      return new Uint8Array(await readFile(this.pathOf(ref.assetId, ref.mime)));
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
