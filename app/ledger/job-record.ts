import { z } from 'zod';

/**
 * One paid job, from the intent written before its submit leaves the process to its stored
 * images. Provider-neutral: what was sent (prompt, params, reference hashes — never image bytes),
 * the node and cache key it belongs to, the request id once known, every output URL and, per
 * output, whether its bytes are stored. Versioned like every persisted shape.
 */
export const JOB_RECORD_VERSION = 1;

/**
 * `intent → submitted → queued/running → completed → stored`; terminal: `failed`, `cancelled`,
 * `unknown-submission`, `outputs-expired`, `lost`. (`partial` is a mark on `completed`/`stored`.)
 */
export const JOB_STATES = [
  'intent',
  'submitted',
  'queued',
  'running',
  'completed',
  'stored',
  'failed',
  'cancelled',
  'unknown-submission',
  'outputs-expired',
  'lost',
] as const;
export const zJobState = z.enum(JOB_STATES);
export type JobState = z.infer<typeof zJobState>;

/** States in which the job may still be running at the provider (it must be followed). */
export const ACTIVE_STATES: ReadonlySet<JobState> = new Set(['intent', 'submitted', 'queued', 'running', 'completed']);

/** Earlier attempts in these states block paying again for the same work until the user chooses to. */
export const REPAY_STATES: ReadonlySet<JobState> = new Set(['unknown-submission', 'outputs-expired', 'lost']);

const zParamValue = z.union([z.string(), z.number(), z.boolean()]);

export const zJobOutput = z.object({
  index: z.int().min(0),
  url: z.string(),
  /** Set once the bytes are stored: the asset holding them. */
  assetId: z.string().optional(),
  mime: z.enum(['image/png', 'image/jpeg', 'image/webp']).optional(),
  width: z.int().positive().optional(),
  height: z.int().positive().optional(),
  /** Why the last fetch failed, while the bytes are missing. */
  error: z.string().optional(),
  /** The host says the file is gone (404/403/410): retrying will not help. */
  expired: z.boolean().optional(),
  attempts: z.int().min(0).default(0),
});
export type JobOutput = z.infer<typeof zJobOutput>;

export const zJobOwner = z.object({
  /** Who follows the job: a CLI process, a browser tab, a worker. */
  id: z.string().min(1),
  host: z.string().optional(),
  pid: z.int().optional(),
  /** Wall ms until which the owner is presumed alive without hearing from it. */
  leaseUntil: z.number(),
});
export type JobOwner = z.infer<typeof zJobOwner>;

export const zJobRecord = z.object({
  v: z.literal(JOB_RECORD_VERSION),
  /** The ledger's id, known before the request id (an intent has no request id yet). */
  jobId: z.string().min(1).max(200),
  /** Bumped on every write; stores refuse a write made from a stale copy. */
  rev: z.int().min(0),
  provider: z.string(),
  /** The API base the job went to: a simulator's ids mean nothing to RunComfy. */
  endpoint: z.string(),
  model: z.string(),
  nodeId: z.string(),
  nodeTitle: z.string().optional(),
  /** The node's cache key when it ran: "this work with these inputs". */
  cacheKey: z.string(),
  runId: z.string().optional(),
  /** Set for jobs of a batch row. */
  batch: z.object({ batchId: z.string(), rowId: z.string() }).optional(),
  sent: z.object({
    url: z.string(),
    bodyBytes: z.int().min(0),
    images: z.array(z.string()),
    prompt: z.string(),
    params: z.record(z.string(), zParamValue),
  }),
  referenceHashes: z.array(z.string()),
  maxOutputs: z.int().min(1),
  state: zJobState,
  /** Some outputs could not be fetched; the rest are stored. */
  partial: z.boolean().default(false),
  requestId: z.string().min(1).optional(),
  /** Wall-clock ms. */
  createdAt: z.number(),
  submittedAt: z.number().optional(),
  updatedAt: z.number(),
  finishedAt: z.number().optional(),
  queuePosition: z.int().min(0).optional(),
  outputs: z.array(zJobOutput).default([]),
  costUsd: z.number().optional(),
  cancel: z
    .object({
      requestedAt: z.number(),
      outcome: z.enum(['cancelled', 'not_cancellable', 'unknown', 'failed']).optional(),
      answeredAt: z.number().optional(),
    })
    .optional(),
  /** The submit was refused outright (4xx, 429 after retries): no job exists, nothing billed. */
  notCreated: z.boolean().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  /** The latest thing worth telling about it ("RunComfy answered 503; retrying"). */
  note: z.string().optional(),
  owner: zJobOwner.optional(),
  /** This job pays again, by the user's explicit choice, for the work of that earlier job. */
  repayOf: z.string().optional(),
  /** A later job paid again for this one's work (by the user's choice): it no longer blocks. */
  supersededBy: z.string().optional(),
  /** The user has seen and dismissed it (lost, unknown): kept for the record, not shown. */
  dismissed: z.boolean().optional(),
});
export type JobRecord = z.infer<typeof zJobRecord>;

/** Whether the user is, may be, or is not charged for a job — "not billed" only when the provider said so. */
export type Billing = 'not-billed' | 'pending' | 'billed' | 'may-be-billed' | 'unknown';

export function billingOf(r: JobRecord): Billing {
  switch (r.state) {
    case 'intent':
    case 'submitted':
    case 'queued':
      return r.cancel?.outcome === 'not_cancellable' ? 'billed' : 'pending';
    case 'running':
    case 'completed':
    case 'stored':
    case 'outputs-expired':
      return 'billed';
    case 'cancelled':
      return 'not-billed';
    case 'failed':
      // A refused submit created nothing; whether a job failed at the provider is billed is not documented.
      return r.notCreated ? 'not-billed' : 'unknown';
    case 'unknown-submission':
    case 'lost':
      return 'may-be-billed';
  }
}

/** Outputs whose bytes are not stored yet. */
export const missingOutputs = (r: JobRecord): JobOutput[] => r.outputs.filter((o) => o.assetId === undefined);

/** Parses a stored record, refusing what is not one (callers keep the raw file for a person to look at). */
export function parseJobRecord(value: unknown): { ok: true; record: JobRecord } | { ok: false; problem: string } {
  const parsed = zJobRecord.safeParse(value);
  if (parsed.success) return { ok: true, record: parsed.data };
  const first = parsed.error.issues[0];
  return { ok: false, problem: first ? `${first.path.join('.') || 'record'}: ${first.message}` : 'not a job record' };
}
