import { batchMaxUsd, checkRows, planColumns, type BatchProblem, type DryRunDeps, type RowCost } from '../batch';
import type { EstimateDeps } from '../engine/estimate-cost';
import type { Workflow } from '../graph/workflow-schema';
import { rowIdProblem, tableImages, toBatchRows, type BatchTable } from './batch-table';

/** One row after the check: ready (with what it would cost), or why not. */
export interface RowCheck {
  key: string;
  rowId: string;
  ok: boolean;
  problems: BatchProblem[];
  fingerprint?: string;
  cost?: RowCost;
  /** Succeeded earlier in this batch with this same input: it is not run again. */
  done: boolean;
}

/** An earlier attempt of a row's work that may have been billed: running it pays again, only by the user's choice. */
export interface BlockedJob {
  rowKey: string;
  rowId: string;
  nodeId: string;
  jobId: string;
  state: string;
  requestId?: string;
}

/** The whole table checked: what the dialog shows before Start, and what Start runs. */
export interface BatchCheck {
  /** The table version checked: an edit since makes the check stale. */
  version: number;
  /** Only these rows were checked (a retry of failed rows), or every row. */
  scope: 'all' | 'retry';
  rows: Record<string, RowCheck>;
  /** Problems of the table itself (columns). */
  tableProblems: BatchProblem[];
  /** The most the rows to run can cost; undefined when the price is unknown. */
  maxUsd: number | undefined;
  paidJobs: number;
  /** Jobs whose work is stored, cached or in flight: $0. */
  reusedJobs: number;
  /** Rows ready to run (not done earlier, not blocked). */
  toRun: number;
  doneRows: number;
  badRows: number;
  blocked: BlockedJob[];
  priceError?: string;
}

export interface CheckTableOptions {
  table: BatchTable;
  version: number;
  workflow: Workflow;
  deps: DryRunDeps & { cost: EstimateDeps };
  /** Only rows with these keys (a retry); every row when absent. */
  only?: ReadonlySet<string>;
  isDone?(rowId: string, fingerprint: string): boolean;
  signal: AbortSignal;
  onProgress?(checked: number, total: number): void;
}

/**
 * Checks the table like the CLI checks a rows file, paying nothing: the columns, every row's
 * id, then every row resolved and dry-run through the executor with the provider's `prepare`
 * (images decoded whole), and each good row's cost from the cache and the ledger (stored,
 * cached and in-flight work is $0; earlier attempts that may have been billed are listed).
 */
export async function checkTable(o: CheckTableOptions): Promise<BatchCheck> {
  const { table } = o;
  const plan = planColumns(
    o.workflow,
    table.columns.map((c) => c.id),
    o.deps.registry,
  );
  // Linked fields are warnings (the column header says so); these problems refuse the whole table.
  const tableProblems = plan.problems;
  const all = toBatchRows(table);
  const picked = all.map((row, i) => ({ row, key: table.rows[i]!.key, idProblem: rowIdProblem(table.rows, i) })).filter((r) => !o.only || o.only.has(r.key));
  let checkedCount = 0;
  const checked = await checkRows({
    ...o.deps,
    workflow: o.workflow,
    rows: picked.map((p) => p.row),
    columns: plan,
    images: tableImages(table.files),
    ...(o.isDone ? { isDone: o.isDone } : {}),
    signal: o.signal,
    onChecked: () => o.onProgress?.(++checkedCount, picked.length),
  });

  const rows: Record<string, RowCheck> = {};
  const blocked: BlockedJob[] = [];
  for (const [i, c] of checked.entries()) {
    const { key, idProblem, row } = picked[i]!;
    const problems: BatchProblem[] = c.ok ? [] : [...c.problems];
    if (idProblem) problems.unshift({ line: row.line, column: 'id', code: 'id-invalid', message: idProblem });
    const ok = c.ok && problems.length === 0;
    rows[key] = {
      key,
      rowId: row.id,
      ok,
      problems,
      ...(c.fingerprint ? { fingerprint: c.fingerprint } : {}),
      ...(c.ok ? { cost: c.cost } : {}),
      done: c.ok && c.done,
    };
    if (ok && c.ok) for (const b of c.cost.blocked) blocked.push({ rowKey: key, rowId: row.id, ...b });
  }
  const blockedRows = new Set(blocked.map((b) => b.rowKey));
  const ready = Object.values(rows).filter((r) => r.ok && !r.done && !blockedRows.has(r.key));
  const costs = ready.map((r) => r.cost!);
  const priceError = costs.find((c) => c.priceError)?.priceError;
  return {
    version: o.version,
    scope: o.only ? 'retry' : 'all',
    rows,
    tableProblems,
    maxUsd: batchMaxUsd(costs),
    paidJobs: costs.reduce((n, c) => n + c.paidJobs, 0),
    reusedJobs: costs.reduce((n, c) => n + c.reusedJobs, 0),
    toRun: ready.length,
    doneRows: Object.values(rows).filter((r) => r.done).length,
    badRows: Object.values(rows).filter((r) => !r.ok).length,
    blocked,
    ...(priceError ? { priceError } : {}),
  };
}

/** Whether Start may run what was checked: a fresh check, no table problem, no bad row. */
export function checkReady(check: BatchCheck | null, version: number): check is BatchCheck {
  return !!check && check.version === version && check.tableProblems.length === 0 && check.badRows === 0;
}
