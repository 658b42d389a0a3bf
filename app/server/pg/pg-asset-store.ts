import { rename, rm, writeFile } from 'node:fs/promises';
import type { Pool } from 'pg';
import type { AssetStore } from '../../graph/node-definition';
import type { ImageRef } from '../../graph/ports';
import { bytesHash } from '../../lib/hash';
import { readImageInfo, type ImageMime } from '../../lib/image-info';
import type { RemoteImageFetcher } from '../file-asset-store';
import { RecentBytes } from '../file-recent-bytes';
import { MAX_IMAGE_BYTES } from '../../model/seedream';
import { migrate } from './migrations';

type AssetRef = ImageRef & { kind: 'asset' };

/** The most bytes one asset may hold (a 4K PNG is far below; the table checks it too). */
export const MAX_ASSET_BYTES = 64 * 1024 * 1024;

export interface PgAssetInfo {
  assetId: string;
  mime: ImageMime;
  width: number;
  height: number;
  size: number;
}

/**
 * Content-addressed image bytes in PostgreSQL (`assets`), so a result survives the loss of the
 * worker machine that fetched it: every machine of a queue reads the same bytes. The id is the
 * SHA-256 of the bytes, so storing the same image twice (two workers, a retry) is one row.
 * URL references are fetched through the host's downloader, like `FileAssetStore`.
 */
export class PgAssetStore implements AssetStore {
  /**
   * Assets read here lately (bounded): a batch's rows read the same reference again and again, up
   * to 10 MB a time from the database otherwise. Not what it stores (a worker's outputs are read
   * by the coordinator, not here, and would push the references out). Bytes under an id never change.
   */
  private readonly recent: RecentBytes;

  constructor(
    readonly pool: Pool,
    private readonly fetchRemote?: RemoteImageFetcher,
    recent: { maxBytes?: number; maxItemBytes?: number } = {},
  ) {
    this.recent = new RecentBytes(recent.maxBytes ?? 64 * 1024 * 1024, recent.maxItemBytes ?? MAX_IMAGE_BYTES);
  }

  /** Brings the schema up to date (safe when many workers start at once), then returns the store. */
  static async open(pool: Pool, fetchRemote?: RemoteImageFetcher): Promise<PgAssetStore> {
    await migrate(pool);
    return new PgAssetStore(pool, fetchRemote);
  }

  async put(bytes: Uint8Array, hints: { name?: string; sourceUrl?: string } = {}): Promise<AssetRef> {
    const named = hints.name ? `: ${hints.name}` : '';
    if (bytes.length > MAX_ASSET_BYTES) throw new Error(`Image too large to store${named} (${bytes.length} bytes; at most ${MAX_ASSET_BYTES}, 64 MiB).`);
    const info = readImageInfo(bytes);
    if (!info) throw new Error(`Not a PNG, JPEG or WebP image${named} (checked by content, not file name).`);
    const assetId = bytesHash(bytes);
    await this.pool.query('INSERT INTO assets (asset_id, mime, width, height, bytes) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (asset_id) DO NOTHING', [
      assetId,
      info.mime,
      info.width,
      info.height,
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    ]);
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
    const kept = this.recent.get(ref.assetId);
    if (kept) return kept;
    const { rows } = await this.pool.query<{ bytes: Buffer }>('SELECT bytes FROM assets WHERE asset_id = $1', [ref.assetId]);
    const bytes = rows[0]?.bytes;
    if (!bytes) throw new Error(`Image asset ${ref.assetId.slice(0, 12)}… is missing from the PostgreSQL asset store.`);
    const read = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.recent.set(ref.assetId, read);
    return read;
  }

  /** What is stored under `assetId` (without the bytes), or undefined. */
  async info(assetId: string): Promise<PgAssetInfo | undefined> {
    const { rows } = await this.pool.query<{ mime: ImageMime; width: number; height: number; size: number }>(
      'SELECT mime, width, height, octet_length(bytes) AS size FROM assets WHERE asset_id = $1',
      [assetId],
    );
    const row = rows[0];
    return row && { assetId, ...row };
  }

  /**
   * Writes an asset's bytes to `path` atomically (temp file, then rename), for `--out` folders and
   * `collect`. Throws when the asset is missing.
   */
  async export(assetId: string, path: string): Promise<PgAssetInfo> {
    const { rows } = await this.pool.query<{ mime: ImageMime; width: number; height: number; bytes: Buffer }>(
      'SELECT mime, width, height, bytes FROM assets WHERE asset_id = $1',
      [assetId],
    );
    const row = rows[0];
    if (!row) throw new Error(`Image asset ${assetId.slice(0, 12)}… is missing from the PostgreSQL asset store, so ${path} was not written.`);
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await writeFile(tmp, row.bytes);
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    return { assetId, mime: row.mime, width: row.width, height: row.height, size: row.bytes.length };
  }
}
