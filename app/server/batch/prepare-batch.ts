import {
  batchMaxUsd,
  checkRows,
  doneRows,
  memoizePrice,
  planColumns,
  resolveRow,
  withTotals,
  type BatchProblem,
  type BatchRowSummary,
  type BatchRunRow,
  type BatchSummary,
  type CheckedRow,
} from '../../batch';
import { formatUsd } from '../../engine/estimate-cost';
import type { NodeRegistry } from '../../graph/registry';
import type { Workflow } from '../../graph/workflow-schema';
import { ledgerMessages, type WorkStatus } from '../../ledger';
import { realClock } from '../../lib/clock';
import { cliRepayHint, type CliServices } from '../cli/cli-services';
import type { LiveTerminal } from './batch-progress';
import type { RowsFile } from './rows-file';

export interface PrepareBatchOptions {
  workflow: Workflow;
  origin: string;
  rows: RowsFile;
  services: CliServices;
  registry: NodeRegistry;
  previous: BatchSummary | undefined;
  repay: readonly string[];
  skipInvalid: boolean;
  maxSpendUsd: number | undefined;
  signal: AbortSignal;
  stderr(text: string): void;
  tty?: LiveTerminal | undefined;
}

/** A batch checked and costed: the summary to start from, and the rows to run. */
export interface PreparedBatch {
  summary: BatchSummary;
  rows: BatchRunRow[];
  /** The most the rows to run can cost; undefined when the price is unknown. */
  maxUsd: number | undefined;
}

/** Why a batch does not start (exit 2): nothing was submitted. */
export interface RefusedBatch {
  refused: string;
}

const problemText = (file: string, p: BatchProblem) =>
  `${file}:${p.line}${p.column ? ` [${p.column}]` : ''}${p.nodeId ? ` (node ${p.nodeId})` : ''}: ${p.message}`;
const errorOf = (p: BatchProblem) => ({
  code: p.code,
  message: p.message,
  ...(p.column ? { column: p.column } : {}),
  ...(p.nodeId ? { nodeId: p.nodeId } : {}),
});

/**
 * Everything before the first submit: the rows file's own problems, the table-level checks,
 * every row checked like a single run (dry run: nothing is paid), earlier attempts that would
 * need paying again, then the whole batch's maximum cost (cache- and ledger-aware: rows done
 * earlier cost $0), printed, and refused over `--max-spend`. Bad rows refuse the batch unless
 * `--skip-invalid`.
 */
export async function prepareBatch(o: PrepareBatchOptions): Promise<PreparedBatch | RefusedBatch> {
  const { table, shown } = o.rows;
  const say = o.stderr;
  const fatal = table.problems.filter((p) => p.fatal);
  const columns = planColumns(o.workflow, table.columns, o.registry);
  for (const w of columns.warnings) say(`warning: ${problemText(shown, w)}`);
  if (fatal.length || columns.problems.length) {
    for (const p of [...fatal, ...columns.problems]) say(problemText(shown, p));
    return { refused: `${shown} cannot be used as it is; nothing was submitted.` };
  }
  if (table.rows.length === 0) return { refused: `${shown} has no rows; nothing was submitted.` };

  const done = doneRows(o.previous);
  const repayAll = o.repay.includes('all');
  const ledger = o.services.ledger;
  const lookup = async (key: string): Promise<WorkStatus> => {
    const status = await ledger.lookup(key);
    if (status.kind !== 'blocked' || !repayAll) return status;
    ledger.allowRepay(status.record.jobId);
    return { kind: 'none', previous: status.record };
  };
  say(`Checking ${table.rows.length} row(s) like single runs (images decoded, nothing submitted)…`);
  let checkedCount = 0;
  const checked = await checkRows({
    workflow: o.workflow,
    rows: table.rows,
    columns,
    registry: o.registry,
    images: o.rows.images,
    prepare: (request, signal) => o.services.provider.prepare(request, signal),
    assets: o.services.assets,
    clock: realClock,
    isDone: (id, fingerprint) => done.get(id)?.fingerprint === fingerprint,
    cost: { cache: o.services.cache, ledger: { lookup }, priceUsd: memoizePrice((m, s) => o.services.provider.priceUsd(m, s)) },
    signal: o.signal,
    onChecked: () => {
      checkedCount++;
      o.tty?.write(`\r\x1b[2KChecked ${checkedCount}/${table.rows.length} row(s)`);
    },
  });
  o.tty?.write('\r\x1b[2K');

  const rowProblems = table.problems.filter((p) => !p.fatal);
  const bad: { checked: CheckedRow; problems: BatchProblem[] }[] = [];
  for (const c of checked) {
    if (!c.ok) bad.push({ checked: c, problems: c.problems });
    else if (c.cost.blocked.length) {
      const problems: BatchProblem[] = [];
      for (const b of c.cost.blocked) {
        const record = await ledger.get(b.jobId);
        const message = record
          ? ledgerMessages.repayRequired(record, cliRepayHint)
          : `An earlier attempt (job ${b.jobId}) may have been billed: run again with --repay ${b.jobId}.`;
        problems.push({ line: c.row.line, nodeId: b.nodeId, code: 'repay-required', message });
      }
      bad.push({ checked: c, problems });
    }
  }
  // In the file's order, whichever check found them (a bad id is found before a row is checked).
  const listed = [...rowProblems, ...bad.flatMap((b) => b.problems)];
  for (const p of listed.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))) say(problemText(shown, p));
  const badCount = bad.length + rowProblems.length;
  if (badCount && !o.skipInvalid) {
    return {
      refused: `${badCount} row(s) of ${table.rows.length + rowProblems.length} cannot run; nothing was submitted. Fix them, or add --skip-invalid to run the others.`,
    };
  }

  const toRun = checked.filter((c): c is Extract<CheckedRow, { ok: true }> => c.ok && !c.done && !c.cost.blocked.length);
  const maxUsd = batchMaxUsd(toRun.map((c) => c.cost));
  const paidJobs = toRun.reduce((n, c) => n + c.cost.paidJobs, 0);
  const reused = toRun.reduce((n, c) => n + c.cost.reusedJobs, 0);
  const doneCount = checked.filter((c) => c.ok && c.done).length;
  const priceError = toRun.find((c) => c.cost.priceError)?.cost.priceError;
  const price =
    paidJobs === 0 ? '$0 (nothing to submit)' : maxUsd !== undefined ? `up to ${formatUsd(maxUsd)}` : `price unknown${priceError ? ` (${priceError})` : ''}`;
  say(
    `Cost: ${price}${paidJobs ? ` for ${paidJobs} paid job(s)` : ''} in ${toRun.length} row(s) to run` +
      `${reused ? `; ${reused} job(s) reused at $0` : ''}${doneCount ? `; ${doneCount} row(s) done earlier` : ''}${badCount ? `; ${badCount} row(s) skipped as invalid` : ''}.`,
  );
  if (o.maxSpendUsd !== undefined) {
    if (maxUsd === undefined)
      return { refused: `The price is unknown, so the batch cannot be kept under --max-spend ${formatUsd(o.maxSpendUsd)}; nothing was submitted.` };
    if (maxUsd > o.maxSpendUsd + 1e-9) {
      return {
        refused: `The batch could cost up to ${formatUsd(maxUsd)}, over --max-spend ${formatUsd(o.maxSpendUsd)}; nothing was submitted. Raise the cap or run fewer rows.`,
      };
    }
  }

  const now = new Date().toISOString();
  const badById = new Map(bad.map((b) => [b.checked.row.id, b]));
  const rows: BatchRowSummary[] = checked.map((c) => {
    const base = {
      id: c.row.id,
      line: c.row.line,
      requestIds: [],
      jobIds: [],
      costUsd: 0,
      files: [],
      ...(c.fingerprint ? { fingerprint: c.fingerprint } : {}),
    };
    const b = badById.get(c.row.id);
    if (b) {
      const status = b.problems.every((p) => p.code === 'repay-required') ? ('skipped' as const) : ('invalid' as const);
      return { ...base, status, error: errorOf(b.problems[0]!), problems: b.problems.map((p) => ({ ...errorOf(p), line: p.line })) };
    }
    if (c.ok && c.done) return { ...done.get(c.row.id)!, line: c.row.line, doneEarlier: true };
    return { ...base, status: 'queued' as const, ...(c.ok && c.cost.maxUsd !== undefined ? { maxCostUsd: c.cost.maxUsd } : {}) };
  });
  const summary = withTotals({
    batchVersion: 1,
    batchId: o.previous?.batchId ?? `batch-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    status: 'running',
    source: { origin: o.origin, ...(o.workflow.meta.name ? { name: o.workflow.meta.name } : {}) },
    rowsFile: o.rows.path,
    mode: o.services.mode,
    startedAt: now,
    updatedAt: now,
    totals: { ...emptyTotals(), ...(maxUsd !== undefined ? { maxCostUsd: maxUsd } : {}), ...(o.maxSpendUsd !== undefined ? { capUsd: o.maxSpendUsd } : {}) },
    problems: rowProblems.map((p) => ({ ...errorOf(p), line: p.line })),
    rows,
  });
  const runRows: BatchRunRow[] = toRun.map(({ row, fingerprint }) => ({
    id: row.id,
    line: row.line,
    fingerprint,
    resolve: async (signal) => {
      const r = await resolveRow(o.workflow, columns, row, o.rows.images, signal);
      if (!r.ok) throw new Error(r.problems.map((p) => problemText(shown, p)).join('; '));
      return r.workflow;
    },
  }));
  return { summary, rows: runRows, maxUsd };
}

const emptyTotals = () => ({ rows: 0, queued: 0, running: 0, succeeded: 0, failed: 0, invalid: 0, skipped: 0, interrupted: 0, images: 0, costUsd: 0 });
