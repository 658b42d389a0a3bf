import { z } from 'zod';
import type { ImageRef } from '../graph/ports';
import type { ProgressDetail } from '../graph/generation';

/**
 * `batch.json`: the state of every row of a batch, rewritten as rows finish (always whole and
 * valid) and read back by a re-run to know which rows are done. Built by folding batch events
 * (`reduceBatch`), so the CLI's file and the editor's table are the same view of the same events.
 */

export const BATCH_SUMMARY_VERSION = 1;

export const zBatchRowStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'invalid', 'skipped', 'interrupted']);
export type BatchRowStatus = z.infer<typeof zBatchRowStatus>;

export const zBatchRowError = z.object({
  code: z.string(),
  message: z.string(),
  column: z.string().optional(),
  nodeId: z.string().optional(),
  requestId: z.string().optional(),
});

export const zBatchRowSummary = z.object({
  id: z.string(),
  /** Where the row starts in the rows file. */
  line: z.int().min(1),
  status: zBatchRowStatus,
  /** Hash of the resolved workflow: a re-run skips a succeeded row only when it is unchanged. */
  fingerprint: z.string().optional(),
  /** Every request id of the row's jobs, as soon as it is known (never lost, even when the row is interrupted). */
  requestIds: z.array(z.string()).default([]),
  jobIds: z.array(z.string()).default([]),
  /** What this row's new jobs cost (reported, or their maximum when unknown); reused work is $0. */
  costUsd: z.number().default(0),
  /** The most it could cost, from the estimate before the batch started. */
  maxCostUsd: z.number().optional(),
  /** Files written, relative to the output folder (`<row id>/…`). */
  files: z.array(z.string()).default([]),
  /** Why it failed, was invalid or was skipped; one entry per problem for invalid rows. */
  error: zBatchRowError.optional(),
  problems: z.array(zBatchRowError.extend({ line: z.int() })).optional(),
  /** Done before this run (same fingerprint in an earlier batch.json). */
  doneEarlier: z.boolean().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
});
export type BatchRowSummary = z.infer<typeof zBatchRowSummary>;

export const zBatchTotals = z.object({
  rows: z.int(),
  queued: z.int(),
  running: z.int(),
  succeeded: z.int(),
  failed: z.int(),
  invalid: z.int(),
  skipped: z.int(),
  interrupted: z.int(),
  images: z.int(),
  costUsd: z.number(),
  maxCostUsd: z.number().optional(),
  capUsd: z.number().optional(),
});
export type BatchTotals = z.infer<typeof zBatchTotals>;

export const zBatchSummary = z.object({
  batchVersion: z.literal(BATCH_SUMMARY_VERSION),
  batchId: z.string(),
  status: z.enum(['checking', 'running', 'succeeded', 'failed', 'interrupted', 'invalid', 'refused']),
  /** The template id or workflow file, and the rows file. */
  source: z.object({ origin: z.string(), name: z.string().optional() }),
  rowsFile: z.string(),
  mode: z.string(),
  startedAt: z.string(),
  updatedAt: z.string(),
  totals: zBatchTotals,
  /** Problems of the rows file that belong to no row (header, an unreadable line). */
  problems: z.array(zBatchRowError.extend({ line: z.int() })).default([]),
  rows: z.array(zBatchRowSummary),
});
export type BatchSummary = z.infer<typeof zBatchSummary>;

/** Reads a batch.json value; a file of another version or shape is refused with the reason. */
export function parseBatchSummary(value: unknown): { ok: true; summary: BatchSummary } | { ok: false; problem: string } {
  const parsed = zBatchSummary.safeParse(value);
  if (parsed.success) return { ok: true, summary: parsed.data };
  const first = parsed.error.issues[0];
  return { ok: false, problem: `${first?.path.join('.') || 'batch.json'}: ${first?.message ?? 'not a batch summary'}` };
}

/** Rows of an earlier batch.json that need not run again: succeeded with the same input. */
export function doneRows(previous: BatchSummary | undefined): Map<string, BatchRowSummary> {
  const done = new Map<string, BatchRowSummary>();
  for (const r of previous?.rows ?? []) if (r.status === 'succeeded' && r.fingerprint) done.set(r.id, r);
  return done;
}

/** What the runner tells progress UIs and the summary; `at` is wall-clock ms. */
export type BatchEvent =
  | { type: 'row-start'; rowId: string; at: number }
  | { type: 'row-progress'; rowId: string; nodeId: string; message?: string; detail?: ProgressDetail; at: number }
  /** A job of the row has an id (known before its images): kept at once, so an interrupt never loses it. */
  | { type: 'row-job'; rowId: string; jobId: string; requestId?: string; at: number }
  /** A node of the row produced images (for contact sheets; not kept in the summary). */
  | { type: 'row-images'; rowId: string; nodeId: string; images: ImageRef[]; at: number }
  | {
      type: 'row-done';
      rowId: string;
      status: Extract<BatchRowStatus, 'succeeded' | 'failed' | 'interrupted'>;
      costUsd: number;
      files: string[];
      requestIds: string[];
      jobIds: string[];
      error?: z.infer<typeof zBatchRowError>;
      at: number;
    }
  | { type: 'spend'; spentUsd: number; reservedUsd: number; capUsd?: number; at: number }
  | { type: 'batch-done'; status: 'succeeded' | 'failed' | 'interrupted'; at: number };

const iso = (ms: number) => new Date(ms).toISOString();
const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];

/** Folds one event into the summary (a new object; unchanged rows are shared). Totals follow the rows (as `withTotals` counts them). */
export function reduceBatch(s: BatchSummary, e: BatchEvent): BatchSummary {
  switch (e.type) {
    case 'row-start':
      return withRow(s, e.rowId, (r) => ({ ...r, status: 'running', startedAt: iso(e.at) }), e.at);
    case 'row-job':
      return withRow(
        s,
        e.rowId,
        (r) => ({ ...r, jobIds: union(r.jobIds, [e.jobId]), requestIds: e.requestId ? union(r.requestIds, [e.requestId]) : r.requestIds }),
        e.at,
      );
    case 'row-done':
      return withRow(
        s,
        e.rowId,
        (r) => {
          const { error: _dropped, ...rest } = r;
          return {
            ...rest,
            status: e.status,
            costUsd: e.costUsd,
            files: e.files,
            requestIds: union(r.requestIds, e.requestIds),
            jobIds: union(r.jobIds, e.jobIds),
            ...(e.error ? { error: e.error } : {}),
            finishedAt: iso(e.at),
          };
        },
        e.at,
      );
    case 'batch-done': {
      const rows = e.status === 'interrupted' ? s.rows.map((r) => (r.status === 'running' ? { ...r, status: 'interrupted' as const } : r)) : s.rows;
      return withTotals({ ...s, rows, status: e.status, updatedAt: iso(e.at) });
    }
    case 'spend':
      return { ...s, updatedAt: iso(e.at) };
    case 'row-progress':
    case 'row-images':
      return s;
  }
}

/** Where each row sits in a summary's rows (rows are never added, dropped or moved by events, so copies share it). */
const rowIndex = new WeakMap<readonly BatchRowSummary[], Map<string, number>>();

function indexOf(rows: readonly BatchRowSummary[], rowId: string): number {
  let index = rowIndex.get(rows);
  if (!index) {
    index = new Map(rows.map((r, i) => [r.id, i]));
    rowIndex.set(rows, index);
  }
  return index.get(rowId) ?? -1;
}

const imagesOf = (r: BatchRowSummary) => {
  let n = 0;
  for (const f of r.files) if (!f.endsWith('.json')) n++;
  return n;
};

/**
 * One row changed: its counts move from the old row's to the new one's (a batch has an event per
 * row several times over, so totals are not recounted from every row each time). The cost is
 * summed again, in row order, so it is exactly what `withTotals` gives.
 */
function withRow(s: BatchSummary, rowId: string, f: (r: BatchRowSummary) => BatchRowSummary, at: number): BatchSummary {
  const i = indexOf(s.rows, rowId);
  if (i < 0) return s;
  const before = s.rows[i]!;
  const after = f(before);
  const rows = s.rows.slice();
  rows[i] = after;
  rowIndex.set(rows, rowIndex.get(s.rows)!);
  const totals = { ...s.totals };
  totals[before.status]--;
  totals[after.status]++;
  totals.images += imagesOf(after) - imagesOf(before);
  totals.costUsd = costOf(rows);
  return { ...s, rows, totals, updatedAt: iso(at) };
}

function costOf(rows: readonly BatchRowSummary[]): number {
  let sum = 0;
  for (const r of rows) sum += r.costUsd;
  return Math.round(sum * 1e6) / 1e6;
}

/** The summary with its totals counted from its rows (the cap and the estimate are kept). */
export function withTotals(s: BatchSummary): BatchSummary {
  const t: BatchTotals = {
    rows: s.rows.length,
    queued: 0,
    running: 0,
    succeeded: 0,
    failed: 0,
    invalid: 0,
    skipped: 0,
    interrupted: 0,
    images: 0,
    costUsd: costOf(s.rows),
  };
  for (const r of s.rows) {
    t[r.status]++;
    t.images += imagesOf(r);
  }
  return {
    ...s,
    totals: {
      ...t,
      ...(s.totals.maxCostUsd !== undefined ? { maxCostUsd: s.totals.maxCostUsd } : {}),
      ...(s.totals.capUsd !== undefined ? { capUsd: s.totals.capUsd } : {}),
    },
  };
}
