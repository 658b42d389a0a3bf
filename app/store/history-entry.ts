import { z } from 'zod';
import { zImageRef } from '../graph/ports';

/** Bumped (with a named migration in `parseHistoryEntry`) when the stored shape changes. */
export const HISTORY_ENTRY_VERSION = 1;

/** An output image kept by the history: always bytes in the asset store, never a provider URL. */
const zStoredImage = zImageRef.options[0];

/** One reference image a generation used: its content hash, and where it came from when known. */
export const zHistoryReference = z.object({
  /** SHA-256 of the bytes for stored images; `url:<sha256 of the URL>` for URL images. */
  hash: z.string(),
  name: z.string().optional(),
  url: z.string().optional(),
});
export type HistoryReference = z.infer<typeof zHistoryReference>;

/**
 * One completed (paid) generation, recorded when its images arrive: what was asked, what it
 * cost, when, the graph that made it, and the output images as asset ids (their bytes were
 * copied into the asset store on arrival, because provider URLs expire).
 */
export const zHistoryEntry = z.object({
  v: z.literal(HISTORY_ENTRY_VERSION),
  /** The request id: one entry per paid request, however often it is reported. */
  id: z.string().min(1),
  requestId: z.string().min(1),
  model: z.string(),
  nodeId: z.string(),
  nodeTitle: z.string().optional(),
  cacheKey: z.string(),
  params: z.record(z.string(), z.unknown()),
  prompt: z.string(),
  references: z.array(zHistoryReference),
  costUsd: z.number().optional(),
  /** Wall-clock ms since 1970. */
  startedAt: z.number().optional(),
  finishedAt: z.number(),
  images: z.array(zStoredImage),
  outputUrls: z.array(z.string()),
  /** The workflow that made it (loaded through parse-and-migrate when opened), when known. */
  workflow: z.unknown().optional(),
  /** The batch row that made it, for generations of a batch (the history groups them). */
  batch: z.object({ batchId: z.string(), rowId: z.string() }).optional(),
  /** How the result arrived: a normal run, after a stop, or re-attached after a reload. */
  source: z.enum(['run', 'late', 'reattached']),
});
export type HistoryEntry = z.infer<typeof zHistoryEntry>;

/** Reads a stored record; undefined for records this version cannot use (they are left alone). */
export function parseHistoryEntry(raw: unknown): HistoryEntry | undefined {
  const parsed = zHistoryEntry.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** Where the history is kept (IndexedDB in the browser). */
export interface HistoryStore {
  /** Adds or replaces the entry with this id. */
  put(entry: HistoryEntry): Promise<void>;
  get(id: string): Promise<HistoryEntry | undefined>;
  /** Newest first. */
  list(): Promise<HistoryEntry[]>;
  delete(id: string): Promise<void>;
}

/**
 * Asset ids the history still needs. Anything that ever removes stored images must keep these:
 * a history entry without its bytes would be a paid result lost.
 */
export async function referencedAssetIds(history: Pick<HistoryStore, 'list'>): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const entry of await history.list()) for (const image of entry.images) ids.add(image.assetId);
  return ids;
}

/** A history in memory (tests; browsers without IndexedDB). */
export class MemoryHistoryStore implements HistoryStore {
  readonly entries = new Map<string, HistoryEntry>();
  async put(entry: HistoryEntry) {
    this.entries.set(entry.id, structuredClone(entry));
  }
  async get(id: string) {
    const e = this.entries.get(id);
    return e && structuredClone(e);
  }
  async list() {
    return [...this.entries.values()].sort((a, b) => b.finishedAt - a.finishedAt).map((e) => structuredClone(e));
  }
  async delete(id: string) {
    this.entries.delete(id);
  }
}
