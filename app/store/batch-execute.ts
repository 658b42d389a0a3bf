import type { StoreApi } from 'zustand/vanilla';
import { planColumns, reduceBatch, resolveRow, withTotals, type BatchEvent, type BatchSummary } from '../batch';
import type { ImageRef } from '../graph/ports';
import type { Workflow } from '../graph/workflow-schema';
import type { JobRecord } from '../ledger';
import { AbortedError } from '../lib/clock';
import { checkReady } from './batch-check';
import { runRows, type RowToRun } from './batch-run';
import { parseCap, rowCostFromRecords, sessionFromRecord, startSummary, type BatchSession } from './batch-session';
import type { BatchState, BatchStoreDeps } from './batch-store';
import { tableImages, toBatchRows } from './batch-table';

interface ExecutionContext {
  store: StoreApi<BatchState>;
  deps: BatchStoreDeps;
  persist(): Promise<void>;
  patch(f: (s: BatchSession) => Partial<BatchSession>): void;
  note(tone: 'info' | 'error', text: string): void;
  price(model: string, signal?: AbortSignal): Promise<number | undefined>;
}

/** Row workflows kept for the history (a row's generations arrive while it runs). */
const MAX_SHOTS = 64;
const usd = (x: number) => `$${x.toFixed(2)}`;
const imageId = (r: ImageRef) => (r.kind === 'asset' ? r.assetId : r.url);

/**
 * Start, Stop, Retry and the reload continuation of the batch store. A start runs exactly what
 * the last check found ready, under the cap less what the batch spent; the batch is saved (as
 * running) before its first submit, so a reload finds it and continues: rows done stay done,
 * rows running re-attach to their jobs through the ledger (nothing is submitted twice), rows
 * queued start. What a continued row cost is read from its jobs' ledger records.
 */
export function createBatchExecution(c: ExecutionContext) {
  const { store, deps, persist, patch, note } = c;
  let controller: AbortController | null = null;
  // The workflows rows ran, by run id (`<batch>/<row>`), for the history: newest last, bounded.
  const shots = new Map<string, { workflow: Workflow; continued: boolean; stopped: boolean }>();

  const session = () => store.getState().session;
  const now = deps.wallNow ?? Date.now;

  const execute = async (rows: readonly RowToRun[], capUsd: number | undefined, continued: ReadonlySet<string>) => {
    const s = session()!;
    controller = new AbortController();
    const signal = controller.signal;
    // A retried row's earlier attempts stay counted: its summary cost is what it spent before plus this run's.
    const before = new Map((s.summary?.rows ?? []).map((r) => [r.id, r.costUsd] as const));
    const fold = (e: BatchEvent) =>
      patch((x) => {
        const folded = e.type === 'row-done' ? { ...e, costUsd: Math.round(((before.get(e.rowId) ?? 0) + e.costUsd) * 1e6) / 1e6 } : e;
        const summary = x.summary ? reduceBatch(x.summary, folded) : x.summary;
        if (e.type === 'spend') return { summary, spend: { spentUsd: e.spentUsd, reservedUsd: e.reservedUsd, capUsd: e.capUsd } };
        if (e.type !== 'row-images') return { summary };
        const known = x.sheet[e.rowId] ?? [];
        const seen = new Set(known.map(imageId));
        return { summary, sheet: { ...x.sheet, [e.rowId]: [...known, ...e.images.filter((i) => !seen.has(imageId(i)))] } };
      });
    const onEvent = (e: BatchEvent) => {
      fold(e);
      if (e.type === 'row-done' && continued.has(e.rowId)) void costOfContinued(e.rowId, e.jobIds);
      if (e.type !== 'row-progress') void persist();
    };
    try {
      await runRows({
        batchId: s.batchId,
        workflow: s.workflow,
        table: s.table,
        rows,
        capUsd,
        concurrency: s.concurrency,
        signal,
        deps,
        onEvent,
        onOutputs: (rowId, outputs) => patch((x) => ({ outputs: { ...x.outputs, [rowId]: outputs } })),
        onRowStart: (rowId, workflow) => {
          shots.set(`${s.batchId}/${rowId}`, { workflow, continued: continued.has(rowId), stopped: false });
          while (shots.size > MAX_SHOTS) shots.delete(shots.keys().next().value!);
        },
      });
    } catch (err) {
      note('error', `The batch stopped: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      controller = null;
      // The run's count is folded into the rows' costs now: what the next run starts from.
      patch((x) => ({ phase: signal.aborted ? 'stopped' : 'finished', stopping: false, spend: null, spentBefore: x.summary?.totals.costUsd ?? x.spentBefore }));
      await persist();
    }
  };

  /** A row continued after a reload: the new page's cap re-attached its jobs at $0, so its cost comes from their records. */
  const costOfContinued = async (rowId: string, jobIds: readonly string[]) => {
    const s = session();
    const row = s?.summary?.rows.find((r) => r.id === rowId);
    if (!s || !row) return;
    const records = await Promise.all([...new Set([...row.jobIds, ...jobIds])].map((id) => deps.ledger.get(id).catch(() => undefined)));
    const cost = rowCostFromRecords(records, s.batchId, rowId, row.maxCostUsd);
    if (cost <= row.costUsd) return;
    patch((x) => (x.summary ? { summary: withRow(x.summary, rowId, cost) } : {}));
    void persist();
  };

  return {
    /**
     * What the history needs of a batch row's run (`<batch id>/<row id>`, the run id its jobs are
     * recorded under), as the editor's run snapshots give it for a run: the workflow it ran.
     */
    runShot(runId: string | undefined) {
      const shot = runId === undefined ? undefined : shots.get(runId);
      return shot && { runId: runId!, workflow: shot.workflow, cacheKeys: new Map<string, string>(), continued: shot.continued, stopped: shot.stopped };
    },
    /** Runs the checked rows (after the check, within the cap); refused, saying why, when it cannot. */
    async start(): Promise<boolean> {
      const s = session();
      if (!s || s.phase === 'running') return false;
      const check = s.check;
      if (!checkReady(check, s.version)) {
        note('error', 'Check the rows first: every row must pass its check, and the table must not have changed since.');
        return false;
      }
      const cap = parseCap(s.capText);
      if (typeof cap === 'object') {
        note('error', cap.problem);
        return false;
      }
      const spent = s.summary?.totals.costUsd ?? 0;
      const room = cap === undefined ? undefined : Math.max(0, cap - spent);
      if (room !== undefined && check.maxUsd === undefined) {
        note('error', `The price is unknown, so the batch cannot be kept under the ${usd(cap!)} cap; nothing was submitted.`);
        return false;
      }
      if (room !== undefined && check.maxUsd! > room + 1e-9) {
        const earlier = spent > 0 ? ` (${usd(spent)} of it is spent already)` : '';
        note(
          'error',
          `The batch could cost up to ${usd(check.maxUsd!)}, over the ${usd(cap!)} cap${earlier}; nothing was submitted. Raise the cap or remove rows.`,
        );
        return false;
      }
      if (check.toRun === 0) {
        note('info', 'Nothing to run: every checked row is done or waits for a Pay-again choice.');
        return false;
      }
      const blocked = new Set(check.blocked.map((b) => b.rowKey));
      const byKey = new Map(toBatchRows(s.table).map((r, i) => [s.table.rows[i]!.key, r] as const));
      const rows: RowToRun[] = Object.values(check.rows)
        .filter((r) => r.ok && !r.done && !blocked.has(r.key) && r.fingerprint)
        .map((r) => ({ row: byKey.get(r.key)!, fingerprint: r.fingerprint! }))
        .sort((a, b) => a.row.line - b.row.line);
      const summary = startSummary(s, check, cap, deps.mode(), now());
      patch(() => ({ phase: 'running', summary, check: null, spend: null, spentBefore: summary.totals.costUsd, message: null, resumed: false }));
      // Saved as running before anything is submitted: a reload from here on continues it.
      await persist();
      void execute(rows, room, new Set());
      return true;
    },
    /** Stops the batch: rows running end as a stopped run does (queued jobs cancelled, running ones still collected); no row starts. */
    stop() {
      if (!controller) return;
      // What still arrives after this was collected after a stop (the history says so).
      for (const shot of shots.values()) shot.stopped = true;
      patch(() => ({ stopping: true }));
      controller.abort(new AbortedError('Stopped by the user'));
    },
    /**
     * After a reload: shows this tab's last batch again and, when it was running, continues it
     * without asking (its cost was accepted) under what is left of its cap. Rows that were running
     * count their most as spent until their jobs' records say what they cost.
     */
    async resume(): Promise<void> {
      const r = await deps.records.latest(deps.ownerId).catch(() => undefined);
      if (!r || session()) return;
      const restored = sessionFromRecord(r, deps.registry);
      if (!restored.ok) return;
      const s = restored.session;
      if (r.phase !== 'running' || !s.summary) {
        store.setState({ session: { ...s, phase: r.phase === 'running' ? 'stopped' : r.phase } });
        return;
      }
      const open = s.summary.rows.filter((x) => x.status === 'queued' || x.status === 'running');
      const running = new Set(open.filter((x) => x.status === 'running').map((x) => x.id));
      const byId = new Map(toBatchRows(s.table).map((row) => [row.id, row] as const));
      const rows = open.flatMap((x) => (x.fingerprint && byId.has(x.id) ? [{ row: byId.get(x.id)!, fingerprint: x.fingerprint }] : []));
      const cap = parseCap(s.capText);
      const inFlight = open.filter((x) => running.has(x.id)).reduce((n, x) => n + (x.maxCostUsd ?? 0), 0);
      const room = typeof cap === 'number' ? Math.max(0, cap - s.summary.totals.costUsd - inFlight) : undefined;
      store.setState({ open: true, session: { ...s, phase: 'running', resumed: true } });
      void execute(rows, room, running);
    },
    /** The ledger records of these jobs (for a row's manifest); ids the ledger does not know are left out. */
    async jobRecords(jobIds: readonly string[]): Promise<JobRecord[]> {
      const found = await Promise.all(jobIds.map((id) => deps.ledger.get(id).catch(() => undefined)));
      return found.filter((r): r is JobRecord => r !== undefined);
    },
    /** The workflow a row runs (its cells applied), to open it as a graph; undefined when it no longer resolves. */
    async rowWorkflow(rowId: string): Promise<Workflow | undefined> {
      const s = session();
      const row = s && toBatchRows(s.table).find((r) => r.id === rowId);
      if (!s || !row) return undefined;
      const columns = planColumns(
        s.workflow,
        s.table.columns.map((x) => x.id),
        deps.registry,
      );
      const resolved = await resolveRow(s.workflow, columns, row, tableImages(s.table.files));
      if (!resolved.ok) return undefined;
      return { ...resolved.workflow, meta: { ...resolved.workflow.meta, name: `${s.title} — row ${rowId}` } };
    },
  };
}

export type BatchExecution = ReturnType<typeof createBatchExecution>;

function withRow(summary: BatchSummary, rowId: string, costUsd: number): BatchSummary {
  return withTotals({ ...summary, rows: summary.rows.map((r) => (r.id === rowId ? { ...r, costUsd } : r)) });
}
