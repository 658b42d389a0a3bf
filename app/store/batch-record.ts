import { z } from 'zod';
import { zBatchSummary } from '../batch';
import { zImageRef } from '../graph/ports';

/** Bumped (with a named migration in `parseBatchRecord`) when the stored shape changes. */
export const BATCH_RECORD_VERSION = 1;

/** One row of the batch table: its id (names its folder in the zip) and a value per column. */
export const zBatchTableRow = z.object({
  /** Stable for the UI (React keys, undo), never shown. */
  key: z.string().min(1),
  id: z.string(),
  /** By column id: a param value (an image reference, a number, text), or text naming a file not dropped yet. */
  cells: z.record(z.string(), z.unknown()),
});
export type BatchTableRow = z.infer<typeof zBatchTableRow>;

/** One image a row delivered, under the file name it gets in the zip. */
export const zBatchOutput = z.object({ file: z.string(), image: zImageRef });
export type BatchOutput = z.infer<typeof zBatchOutput>;

export const zBatchPhase = z.enum(['editing', 'running', 'stopped', 'finished']);
export type BatchPhase = z.infer<typeof zBatchPhase>;

/**
 * A batch as the editor keeps it in IndexedDB: the template, the table (image cells hold asset
 * references, whose bytes are in the asset store), the cap and every row's status (the same
 * `batch.json` summary the CLI writes). Saved as the batch is edited and as rows move, so a
 * reload shows it again and continues a running one: rows done are skipped (their fingerprint
 * is in the summary), jobs in flight are re-attached by the job ledger, nothing is paid twice.
 */
export const zBatchRecord = z.object({
  v: z.literal(BATCH_RECORD_VERSION),
  batchId: z.string().min(1),
  /** The tab that runs it (the ledger's owner id): a reload of that tab continues it. */
  ownerId: z.string(),
  title: z.string(),
  /** A built-in or saved template, or the graph that was on the canvas. */
  source: z.object({ kind: z.enum(['template', 'graph']), title: z.string() }),
  /** The template's workflow (loaded through parse-and-migrate again when read). */
  workflow: z.unknown(),
  /** Column ids in order: template field ids or `<node>.<param>`. */
  columns: z.array(z.string()),
  rows: z.array(zBatchTableRow),
  /** Images dropped or picked for this batch, by file name: cells that name a file resolve through it. */
  files: z.record(z.string(), zImageRef).default({}),
  capUsd: z.number().min(0).optional(),
  /** Rows at once. */
  concurrency: z.int().min(1).max(4),
  phase: zBatchPhase,
  /** Every row's status, request ids, cost and files; absent until the batch first starts. */
  summary: zBatchSummary.optional(),
  /** Per row id: the images its run delivered (Save nodes, else previews), for the zip. */
  outputs: z.record(z.string(), z.array(zBatchOutput)).default({}),
  /** Per row id: the images its paid nodes made, for the contact sheet. */
  sheet: z.record(z.string(), z.array(zImageRef)).default({}),
  /** Wall-clock ms. */
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type BatchRecord = z.infer<typeof zBatchRecord>;

/** The stored record, or undefined when this version cannot use it (it is left alone). */
export function parseBatchRecord(raw: unknown): BatchRecord | undefined {
  const parsed = zBatchRecord.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** Where batches are kept (IndexedDB in the browser). */
export interface BatchRecordStore {
  /** Adds or replaces the record of this batch id; resolves once stored. */
  save(record: BatchRecord): Promise<void>;
  get(batchId: string): Promise<BatchRecord | undefined>;
  /** The newest batch of this owner (tab), if any. */
  latest(ownerId: string): Promise<BatchRecord | undefined>;
  delete(batchId: string): Promise<void>;
}

/** Batches in memory (tests; browsers without storage). */
export class MemoryBatchRecordStore implements BatchRecordStore {
  readonly records = new Map<string, BatchRecord>();
  saves = 0;
  async save(record: BatchRecord) {
    this.saves++;
    this.records.set(record.batchId, structuredClone(record));
  }
  async get(batchId: string) {
    const r = this.records.get(batchId);
    return r && structuredClone(r);
  }
  async latest(ownerId: string) {
    const mine = [...this.records.values()].filter((r) => r.ownerId === ownerId).sort((a, b) => b.updatedAt - a.updatedAt);
    return mine[0] && structuredClone(mine[0]);
  }
  async delete(batchId: string) {
    this.records.delete(batchId);
  }
}
