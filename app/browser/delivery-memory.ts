import type { IDBPDatabase } from 'idb';
import { z } from 'zod';
import type { ImageRef } from '../graph/ports';
import { stableHash } from '../lib/hash';
import type { StudioDB } from './idb-database';

/**
 * What the browser's Save already put in the downloads folder: "these exact images, under this
 * file prefix, were delivered as these files". A run whose Save inputs did not change (a fully
 * cached run) finds them here and downloads nothing again; only an explicit "Save again" does.
 */
export interface DeliveryMemory {
  /** The file names a delivery was made under, or undefined when it never was (or is forgotten). */
  get(delivery: string): Promise<readonly string[] | undefined>;
  put(delivery: string, names: readonly string[]): Promise<void>;
}

/** How many deliveries are remembered: the oldest are forgotten first (a forgotten one downloads again). */
export const DELIVERIES_KEPT = 1_000;

const imageKey = (ref: ImageRef) => (ref.kind === 'asset' ? ref.assetId : ref.url);

/** A delivery's identity: the prefix (it names the files) and the images' content, in order. */
export const deliveryKey = (prefix: string, images: readonly ImageRef[]): string => stableHash(['save-delivery', 1, prefix, images.map(imageKey)]);

const zDeliveries = z.object({
  v: z.literal(1),
  /** Newest first. */
  entries: z.array(z.object({ key: z.string(), names: z.array(z.string()) })),
});
type Deliveries = z.infer<typeof zDeliveries>;

const KEY = 'save-deliveries';

/** Newest first, without an older entry of the same key, at most `keep`. */
function withEntry(current: Deliveries | undefined, key: string, names: readonly string[], keep = DELIVERIES_KEPT): Deliveries {
  const rest = (current?.entries ?? []).filter((e) => e.key !== key);
  return { v: 1, entries: [{ key, names: [...names] }, ...rest].slice(0, keep) };
}

/**
 * Deliveries kept in IndexedDB (`settings/save-deliveries`), so a reload followed by a cached run
 * does not download again either. Read and written in one transaction; an unreadable record
 * counts as empty (the worst case is one duplicate download, never a missing one).
 */
export function createIdbDeliveryMemory(db: IDBPDatabase<StudioDB>, options: { keep?: number } = {}): DeliveryMemory {
  return {
    async get(key) {
      const parsed = zDeliveries.safeParse(await db.get('settings', KEY));
      return parsed.success ? parsed.data.entries.find((e) => e.key === key)?.names : undefined;
    },
    async put(key, names) {
      const tx = db.transaction('settings', 'readwrite');
      const parsed = zDeliveries.safeParse(await tx.store.get(KEY));
      await tx.store.put(withEntry(parsed.success ? parsed.data : undefined, key, names, options.keep), KEY);
      await tx.done;
    },
  };
}

/** Deliveries for this page only (browser storage unavailable). */
export function createMemoryDeliveryMemory(): DeliveryMemory {
  let state: Deliveries | undefined;
  return {
    get: async (key) => state?.entries.find((e) => e.key === key)?.names,
    async put(key, names) {
      state = withEntry(state, key, names);
    },
  };
}
