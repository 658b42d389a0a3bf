import { z } from 'zod';

/** Bumped (with a named migration in `parseRunRecord`) when the stored shape changes. */
export const RUN_RECORD_VERSION = 1;

/** What the user accepted in the cost dialog, kept with the run so a continued run can say it. */
export const zAcceptedEstimate = z.object({
  /** Up to this much, in USD; undefined when the price was unknown. */
  totalUsd: z.number().optional(),
  paidJobs: z.int().min(0),
  /** Earlier attempts the user chose to pay again for (job ids). */
  repay: z.array(z.string()).default([]),
});
export type AcceptedEstimate = z.infer<typeof zAcceptedEstimate>;

/**
 * A run in progress, persisted when it starts and cleared when it ends (or is stopped), so a
 * reload mid-run continues it: the same workflow snapshot, targets and run id, executed again
 * without asking (the user already accepted its cost). Paid jobs are never resubmitted: the
 * ledger joins or re-attaches them by cache key.
 */
export const zRunRecord = z.object({
  v: z.literal(RUN_RECORD_VERSION),
  runId: z.string().min(1),
  /** Wall-clock ms when the run started. */
  startedAt: z.number(),
  /** The workflow as it was run (loaded through parse-and-migrate when continued). */
  workflow: z.unknown(),
  targets: z.array(z.string()).optional(),
  /** Nodes left out (with their dependants) because the user did not choose to pay again for their earlier attempt: node id → that job id. */
  held: z.record(z.string(), z.string()).default({}),
  estimate: zAcceptedEstimate.optional(),
});
export type RunRecord = z.infer<typeof zRunRecord>;

/** The stored run record, or undefined when there is none this version can use. */
export function parseRunRecord(raw: unknown): RunRecord | undefined {
  const parsed = zRunRecord.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** Where this tab's run in progress is kept (IndexedDB, keyed by the tab's owner id, in the browser). */
export interface RunRecordStore {
  /** Resolves once stored. */
  save(record: RunRecord): Promise<void>;
  load(): Promise<RunRecord | undefined>;
  /** Forgets the record if it is still the one of `runId` (a newer run's record stays). */
  clear(runId: string): Promise<void>;
}

/** Run records in memory (tests; browsers without storage). */
export class MemoryRunRecordStore implements RunRecordStore {
  record: RunRecord | undefined;
  async save(record: RunRecord) {
    this.record = structuredClone(record);
  }
  async load() {
    return this.record && structuredClone(this.record);
  }
  async clear(runId: string) {
    if (this.record?.runId === runId) this.record = undefined;
  }
}
