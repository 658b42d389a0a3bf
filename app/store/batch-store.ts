import { createStore } from 'zustand/vanilla';
import { formatOfName, memoizePrice, sniffFormat, type RowsFormat } from '../batch';
import type { GenerationRequest } from '../graph/generation';
import type { ImageRef } from '../graph/ports';
import type { Workflow } from '../graph/workflow-schema';
import { checkTable } from './batch-check';
import { createBatchExecution, type BatchExecution } from './batch-execute';
import { dropImages, pasteRows } from './batch-paste';
import type { BatchRecord, BatchRecordStore } from './batch-record';
import type { BatchRunDeps } from './batch-run';
import { newSession, recordOf, type BatchSession } from './batch-session';
import { addRow, duplicateRow, removeRow, setCell, setRowId, type BatchTable } from './batch-table';

/** What the batch store is built from: the editor's ledger, cache and assets, and where batches are kept. */
export interface BatchStoreDeps extends BatchRunDeps {
  /** `GenerationProvider.prepare`: the dry run's checks (images decoded), nothing sent. */
  prepare(request: GenerationRequest, signal: AbortSignal): Promise<unknown>;
  records: BatchRecordStore;
  /** This tab (the ledger's owner id): its batch continues after a reload. */
  ownerId: string;
  /** `simulator` or `runcomfy`, for batch.json. */
  mode(): string;
}

export interface BatchState {
  /** The Batch dialog is shown. */
  open: boolean;
  /** This tab's batch (being edited, running or finished), if any. */
  session: BatchSession | null;
}

/** How many table edits Undo keeps. */
const UNDO_LIMIT = 50;

/**
 * The editor's batch: one per tab, outliving its dialog (closing it leaves a running batch
 * running). Table edits (with undo), paste and drops; the free check of every row with its cost;
 * then Start, Stop, Retry and the reload continuation (see batch-execute.ts). Every change is
 * saved to the batch store, a running batch before its first submit.
 */
export function createBatchStore(deps: BatchStoreDeps) {
  const store = createStore<BatchState>()(() => ({ open: false, session: null }));
  const now = deps.wallNow ?? Date.now;
  const price = memoizePrice((m, s) => deps.priceUsd(m, s));

  // Saves run one at a time; changes made meanwhile are written by the next save (latest wins).
  let saving: Promise<void> | null = null;
  let dirty = false;
  const persist = (): Promise<void> => {
    dirty = true;
    if (!saving) {
      saving = (async () => {
        while (dirty) {
          dirty = false;
          const s = store.getState().session;
          if (s)
            await deps.records
              .save(recordOf(s, deps.ownerId, now()))
              .catch((err: unknown) => note('error', `The batch could not be saved in the browser: ${String(err)}`));
        }
      })().finally(() => (saving = null));
    }
    return saving;
  };
  const patch = (f: (s: BatchSession) => Partial<BatchSession>) => store.setState((st) => (st.session ? { session: { ...st.session, ...f(st.session) } } : st));
  const note = (tone: 'info' | 'error', text: string) => patch(() => ({ message: { tone, text } }));

  let lastGroup: string | undefined;
  /** One table edit: undoable (typing in one cell is one step), makes the check stale, saved. */
  const edit = (update: (t: BatchTable) => BatchTable, group?: string) => {
    const s = store.getState().session;
    if (!s) return;
    if (s.phase === 'running') return note('error', 'The table is locked while the batch runs: stop it, or wait for it to finish.');
    const table = update(s.table);
    if (table === s.table) return;
    const past = group !== undefined && group === lastGroup ? s.past : [...s.past, s.table].slice(-UNDO_LIMIT);
    lastGroup = group;
    patch((x) => ({ table, past, future: [], version: x.version + 1 }));
    void persist();
  };

  const execution: BatchExecution = createBatchExecution({ store, deps, persist, patch, note, price });
  let checking: AbortController | null = null;

  const actions = {
    /** Opens the dialog on a new batch over `workflow` (or on the running batch, which must end first). */
    openFor(title: string, source: BatchRecord['source'], workflow: Workflow) {
      const s = store.getState().session;
      if (s?.phase === 'running') {
        store.setState({ open: true });
        return note('error', `“${s.title}” is running: a tab runs one batch at a time. Stop it or let it finish first.`);
      }
      if (s) void deps.records.delete(s.batchId).catch(() => undefined);
      lastGroup = undefined;
      store.setState({ open: true, session: newSession(title, source, workflow, deps.registry, now()) });
      void persist();
    },
    show: () => store.setState({ open: true }),
    hide: () => store.setState({ open: false }),
    /** Forgets a batch that is not running (its generations stay in the history). */
    discard() {
      const s = store.getState().session;
      if (!s || s.phase === 'running') return;
      void deps.records.delete(s.batchId).catch(() => undefined);
      store.setState({ open: false, session: null });
    },
    addRow: () => edit(addRow),
    removeRow: (key: string) => edit((t) => removeRow(t, key)),
    duplicateRow: (key: string) => edit((t) => duplicateRow(t, key)),
    setCell: (key: string, columnId: string, value: unknown) => edit((t) => setCell(t, key, columnId, value), `${key}\0${columnId}`),
    setRowId: (key: string, id: string) => edit((t) => setRowId(t, key, id), `${key}\0id`),
    /** Pasted or dropped rows text; the format is sniffed, or taken from the file name. */
    paste(text: string, fileName?: string) {
      const s = store.getState().session;
      if (!s) return;
      const format: RowsFormat = (fileName && formatOfName(fileName)) || sniffFormat(text);
      const result = pasteRows(s.table, text, format, s.workflow, deps.registry);
      edit(() => result.table);
      const said = `${result.added} row${result.added === 1 ? '' : 's'} added from ${fileName ? `“${fileName}”` : `the pasted ${format.toUpperCase()}`}.`;
      patch(() => ({ notes: result.notes, message: { tone: result.notes.length ? 'error' : 'info', text: said } }));
    },
    /** Images dropped or chosen on an image column (already stored as assets). */
    addImages(columnId: string, refs: readonly ImageRef[]) {
      const s = store.getState().session;
      if (!s || refs.length === 0) return;
      const { table, added } = dropImages(s.table, columnId, refs);
      edit(() => table);
      note('info', `${refs.length} image${refs.length === 1 ? '' : 's'} placed${added ? `; ${added} new row${added === 1 ? '' : 's'}` : ''}.`);
    },
    undo() {
      const s = store.getState().session;
      if (!s || s.phase === 'running' || s.past.length === 0) return;
      lastGroup = undefined;
      patch((x) => ({ table: x.past.at(-1)!, past: x.past.slice(0, -1), future: [x.table, ...x.future], version: x.version + 1 }));
      void persist();
    },
    redo() {
      const s = store.getState().session;
      if (!s || s.phase === 'running' || s.future.length === 0) return;
      lastGroup = undefined;
      patch((x) => ({ table: x.future[0]!, future: x.future.slice(1), past: [...x.past, x.table], version: x.version + 1 }));
      void persist();
    },
    setCap(text: string) {
      patch(() => ({ capText: text }));
      void persist();
    },
    setConcurrency(n: number) {
      patch(() => ({ concurrency: Math.min(4, Math.max(1, Math.round(n))) }));
      void persist();
    },
    dismissMessage: () => patch(() => ({ message: null, notes: [] })),
    /** A sentence above the table (an image refused, a file unreadable). */
    say: (tone: 'info' | 'error', text: string) => note(tone, text),

    /**
     * Checks the rows (every row, or with `retry` the rows that failed, were stopped or were
     * skipped) like a single run, paying nothing, and works out what they would cost.
     */
    async check(scope: 'all' | 'retry' = 'all'): Promise<void> {
      const s = store.getState().session;
      if (!s || s.phase === 'running') return;
      checking?.abort();
      const controller = new AbortController();
      checking = controller;
      const again = new Set(['failed', 'interrupted', 'skipped']);
      const retryIds = new Set((s.summary?.rows ?? []).filter((r) => again.has(r.status)).map((r) => r.id));
      const only = scope === 'retry' ? new Set(s.table.rows.filter((r) => retryIds.has(r.id)).map((r) => r.key)) : undefined;
      const done = new Map((s.summary?.rows ?? []).filter((r) => r.status === 'succeeded').map((r) => [r.id, r.fingerprint] as const));
      patch(() => ({ checking: { done: 0, total: only?.size ?? s.table.rows.length }, message: null }));
      try {
        const check = await checkTable({
          table: s.table,
          version: s.version,
          workflow: s.workflow,
          deps: {
            registry: deps.registry,
            prepare: deps.prepare,
            assets: deps.assets,
            clock: deps.clock,
            cost: { cache: deps.cache, ledger: deps.ledger, priceUsd: price },
          },
          ...(only ? { only } : {}),
          isDone: (id, fingerprint) => done.get(id) === fingerprint,
          signal: controller.signal,
          onProgress: (n, total) => patch(() => ({ checking: { done: n, total } })),
        });
        patch(() => ({ check }));
      } catch (err) {
        if (!controller.signal.aborted) note('error', `The rows could not be checked: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        if (checking === controller) {
          checking = null;
          patch(() => ({ checking: null }));
        }
      }
    },
    /** The user chose to pay again for this earlier attempt (named in the dialog); the rows are checked again. */
    async payAgain(jobId: string): Promise<void> {
      deps.ledger.allowRepay(jobId);
      await actions.check(store.getState().session?.check?.scope ?? 'all');
    },
    ...execution,
  };
  return { store, ...actions };
}

export type BatchStore = ReturnType<typeof createBatchStore>;
