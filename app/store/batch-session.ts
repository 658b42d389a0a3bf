import { BATCH_SUMMARY_VERSION, withTotals, type BatchProblem, type BatchRowSummary, type BatchSummary, type SpendState } from '../batch';
import { loadWorkflow } from '../graph/load-workflow';
import type { ImageRef } from '../graph/ports';
import type { NodeRegistry } from '../graph/registry';
import type { Workflow } from '../graph/workflow-schema';
import { billingOf, type JobRecord } from '../ledger';
import type { BatchCheck } from './batch-check';
import { BATCH_RECORD_VERSION, type BatchOutput, type BatchPhase, type BatchRecord } from './batch-record';
import { blankRow, defaultColumnIds, resolveColumns, type BatchTable } from './batch-table';

/** Everything the Batch dialog shows of one batch; the store holds one per tab. */
export interface BatchSession {
  batchId: string;
  title: string;
  source: BatchRecord['source'];
  /** The template (or graph) every row fills in. */
  workflow: Workflow;
  table: BatchTable;
  /** Bumped by every table edit: a check of an older version is stale. */
  version: number;
  /** Undo within the table. */
  past: BatchTable[];
  future: BatchTable[];
  /** What the last paste or drop said (mismatched columns, bad lines). */
  notes: BatchProblem[];
  /** The spend cap as typed ('' = none). */
  capText: string;
  concurrency: number;
  check: BatchCheck | null;
  /** Set while rows are being checked. */
  checking: { done: number; total: number } | null;
  phase: BatchPhase;
  stopping: boolean;
  /** Every row's status (batch.json); null until the batch first starts. */
  summary: BatchSummary | null;
  outputs: Record<string, BatchOutput[]>;
  /** Contact sheet: per row id, the images its paid nodes made. */
  sheet: Record<string, ImageRef[]>;
  /** The cap's count for the run going on now. */
  spend: SpendState | null;
  /** What the batch spent before the run going on now (earlier runs, before a reload). */
  spentBefore: number;
  /** Continued after a reload. */
  resumed: boolean;
  message: { tone: 'info' | 'error'; text: string } | null;
  createdAt: number;
}

/** A batch id that never repeats. */
export function newBatchId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return `batch-${c?.randomUUID?.().slice(0, 13) ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`}`;
}

/** A new batch over `workflow`: one column per usable template field, one blank row. */
export function newSession(title: string, source: BatchRecord['source'], workflow: Workflow, registry: NodeRegistry, now: number): BatchSession {
  const { columns } = resolveColumns(workflow, defaultColumnIds(workflow, registry), registry);
  return {
    batchId: newBatchId(),
    title,
    source,
    workflow,
    table: { columns, rows: columns.length ? [blankRow(columns, [])] : [], files: {} },
    version: 0,
    past: [],
    future: [],
    notes: [],
    capText: '',
    concurrency: 3,
    check: null,
    checking: null,
    phase: 'editing',
    stopping: false,
    summary: null,
    outputs: {},
    sheet: {},
    spend: null,
    spentBefore: 0,
    resumed: false,
    message: null,
    createdAt: now,
  };
}

/** The stored form of a session. */
export function recordOf(s: BatchSession, ownerId: string, now: number): BatchRecord {
  const cap = parseCap(s.capText);
  return {
    v: BATCH_RECORD_VERSION,
    batchId: s.batchId,
    ownerId,
    title: s.title,
    source: s.source,
    workflow: s.workflow,
    columns: s.table.columns.map((c) => c.id),
    rows: s.table.rows,
    files: { ...s.table.files },
    ...(typeof cap === 'number' ? { capUsd: cap } : {}),
    concurrency: s.concurrency,
    phase: s.phase,
    ...(s.summary ? { summary: s.summary } : {}),
    outputs: s.outputs,
    sheet: s.sheet,
    createdAt: s.createdAt,
    updatedAt: now,
  };
}

/** A stored batch as a session again (its workflow through parse-and-migrate), or why it cannot be. */
export function sessionFromRecord(r: BatchRecord, registry: NodeRegistry): { ok: true; session: BatchSession } | { ok: false; problem: string } {
  const loaded = loadWorkflow(r.workflow, registry);
  if (!loaded.ok) return { ok: false, problem: loaded.issues.map((i) => i.message).join(' · ') };
  const { columns } = resolveColumns(loaded.workflow, r.columns, registry);
  const session: BatchSession = {
    ...newSession(r.title, r.source, loaded.workflow, registry, r.createdAt),
    batchId: r.batchId,
    table: { columns, rows: r.rows, files: r.files },
    capText: r.capUsd !== undefined ? String(r.capUsd) : '',
    concurrency: r.concurrency,
    phase: r.phase,
    summary: r.summary ?? null,
    outputs: r.outputs,
    sheet: r.sheet,
    spentBefore: r.summary?.totals.costUsd ?? 0,
  };
  return { ok: true, session };
}

/** The cap as typed: undefined for none, a number, or why the text is not one. */
export function parseCap(text: string): number | undefined | { problem: string } {
  const t = text.trim().replace(/^\$/, '');
  if (t === '') return undefined;
  const n = Number(t);
  if (!Number.isFinite(n) || n < 0) return { problem: 'Enter the most to spend in US dollars, e.g. 2.50, or leave it empty for no cap.' };
  return n;
}

const emptyTotals = () => ({ rows: 0, queued: 0, running: 0, succeeded: 0, failed: 0, invalid: 0, skipped: 0, interrupted: 0, images: 0, costUsd: 0 });

/**
 * The batch.json a (re)start begins from: rows to run are queued with their most, rows done
 * earlier keep their summary, rows blocked by an earlier attempt that may have been billed are
 * skipped (saying so), and rows outside the check (a retry) keep theirs.
 */
export function startSummary(s: BatchSession, check: BatchCheck, capUsd: number | undefined, mode: string, now: number): BatchSummary {
  const iso = new Date(now).toISOString();
  const before = new Map((s.summary?.rows ?? []).map((r) => [r.id, r] as const));
  const blocked = new Map(check.blocked.map((b) => [b.rowKey, b] as const));
  const rows: BatchRowSummary[] = s.table.rows.map((row, i) => {
    const c = check.rows[row.key];
    const old = before.get(row.id);
    if (!c) return old ?? { id: row.id, line: i + 1, status: 'queued', requestIds: [], jobIds: [], costUsd: 0, files: [] };
    const kept = { requestIds: old?.requestIds ?? [], jobIds: old?.jobIds ?? [], costUsd: old?.costUsd ?? 0, files: [] as string[] };
    const base = { id: row.id, line: i + 1, ...kept, ...(c.fingerprint ? { fingerprint: c.fingerprint } : {}) };
    if (c.done && old) return { ...old, line: i + 1, doneEarlier: true };
    const b = blocked.get(row.key);
    if (b) {
      const message = `An earlier attempt (job ${b.jobId}${b.requestId ? `, request ${b.requestId}` : ''}, ${b.state}) may have been billed: choose Pay again to run it.`;
      return { ...base, status: 'skipped', error: { code: 'repay-required', message, nodeId: b.nodeId } };
    }
    return { ...base, status: 'queued', ...(c.cost?.maxUsd !== undefined ? { maxCostUsd: c.cost.maxUsd } : {}) };
  });
  const spent = rows.reduce((n, r) => n + r.costUsd, 0);
  return withTotals({
    batchVersion: BATCH_SUMMARY_VERSION,
    batchId: s.batchId,
    status: 'running',
    source: { origin: s.source.kind === 'template' ? `template “${s.source.title}”` : `graph “${s.source.title}”`, name: s.title },
    rowsFile: 'the Batch table',
    mode,
    startedAt: s.summary?.startedAt ?? iso,
    updatedAt: iso,
    totals: {
      ...emptyTotals(),
      ...(check.maxUsd !== undefined ? { maxCostUsd: Math.round((check.maxUsd + spent) * 1e6) / 1e6 } : {}),
      ...(capUsd !== undefined ? { capUsd } : {}),
    },
    problems: [],
    rows,
  });
}

/**
 * What a row's own jobs cost, from their ledger records: jobs tagged with this batch and row
 * count (their reported cost, else the most), jobs the ledger says were not billed count $0.
 * Used for rows continued after a reload, whose jobs the cap of the new page re-attached at $0.
 */
export function rowCostFromRecords(records: readonly (JobRecord | undefined)[], batchId: string, rowId: string, maxUsd: number | undefined): number {
  let known = 0;
  let unknown = false;
  for (const r of records) {
    if (!r || r.batch?.batchId !== batchId || r.batch.rowId !== rowId || billingOf(r) === 'not-billed') continue;
    if (r.costUsd !== undefined) known += r.costUsd;
    else unknown = true;
  }
  // A job whose cost is not reported counts as the row's most: the count errs high, never low.
  const usd = unknown ? Math.max(known, maxUsd ?? known) : known;
  return Math.round(usd * 1e6) / 1e6;
}
