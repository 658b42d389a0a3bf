import { temporal } from 'zundo';
import { createStore } from 'zustand/vanilla';
import { emptyWorkflow, type Workflow } from '../graph/workflow-schema';
import { analyze, emptyAnalysis, structureChanged } from './analysis';
import { createDocumentSlice, newDocumentId } from './document-slice';
import { createGraphSlice } from './graph-slice';
import { createHistoryGrouper } from './history';
import { createIdAllocator } from './id-allocator';
import { jobContextOf } from './job-context';
import { reduceLedgerUpdate, rekeyJobs } from './job-reducer';
import { createRunSnapshots } from './run-snapshots';
import { createRunSlice } from './run-slice';
import { createSessionSlice } from './session-slice';
import type { SetState, SliceContext, StudioDeps, StudioState } from './store-types';
import { createUiSlice } from './ui-slice';

/** Undo keeps this many steps. */
export const HISTORY_LIMIT = 200;

type Tracked = { workflow: Workflow };

/**
 * Builds a fresh editor store (one per app, one per test) from the graph, run and ui slices.
 * Undo (zundo) tracks only the workflow: selection, run state and popups are never recorded.
 * The planner re-runs after every structural edit (not after moves), possibly deferred.
 */
export function createStudioStore(deps: StudioDeps) {
  const now = deps.now ?? Date.now;
  const initial = deps.workflow ?? emptyWorkflow();
  let analysed: Workflow | null = null;
  const ctx: SliceContext = {
    deps,
    history: createHistoryGrouper(now),
    clearHistory: () => undefined,
    jobContext: (s) => jobContextOf(s, deps.registry),
    snapshots: deps.snapshots ?? createRunSnapshots(),
    ids: deps.ids ?? createIdAllocator(),
    analyzeNow: (workflow) => {
      analysed = workflow;
      return analyze(workflow, deps.registry, deps.engine, emptyAnalysis);
    },
  };
  ctx.ids.see(initial);

  const store = createStore<StudioState>()(
    temporal(
      (set, get) => {
        const setState = set as SetState;
        return {
          ...createDocumentSlice(setState, get, ctx, deps.documentId ?? newDocumentId()),
          ...createGraphSlice(setState, get, ctx, initial),
          ...createRunSlice(setState, get, ctx),
          ...createUiSlice(setState),
          ...createSessionSlice(setState),
          analysis: emptyAnalysis,
        };
      },
      {
        partialize: (s): Tracked => ({ workflow: s.workflow }),
        equality: (a, b) => a.workflow === b.workflow,
        limit: HISTORY_LIMIT,
        handleSet: (handleSet) =>
          ((pastState: Tracked, replace: undefined, currentState: Tracked, delta: Partial<Tracked> | null) => {
            if (ctx.history.shouldRecord()) (handleSet as (...a: unknown[]) => void)(pastState, replace, currentState, delta);
          }) as unknown as typeof handleSet,
      },
    ),
  );
  ctx.clearHistory = () => store.temporal.getState().clear();

  let scheduled = false;
  const runAnalysis = () => {
    scheduled = false;
    const s = store.getState();
    if (analysed && !structureChanged(analysed, s.workflow)) return;
    analysed = s.workflow;
    store.setState({ analysis: analyze(s.workflow, deps.registry, deps.engine, s.analysis) });
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    (deps.defer ?? ((fn) => fn()))(runAnalysis);
  };
  store.subscribe((s, prev) => {
    if (s.workflow !== prev.workflow && (!analysed || structureChanged(analysed, s.workflow))) schedule();
  });
  // An edit that changes a node's cache key changes which job it shows (the job of its new work, or none).
  store.subscribe((s, prev) => {
    if (s.analysis.cacheKeys === prev.analysis.cacheKeys || Object.keys(s.jobs).length === 0) return;
    const next = rekeyJobs({ run: s.run, results: s.results, jobs: s.jobs }, prev.analysis.cacheKeys, ctx.jobContext(s));
    if (next.run !== s.run || next.results !== s.results) store.setState({ run: next.run, results: next.results });
  });
  runAnalysis();
  // Jobs other tabs already know show on this document's nodes doing their work.
  if (deps.jobs && Object.keys(deps.jobs).length) {
    const s = store.getState();
    const view = rekeyJobs({ run: s.run, results: s.results, jobs: { ...deps.jobs, ...s.jobs } }, new Map(), ctx.jobContext(s));
    store.setState({ run: view.run, results: view.results, jobs: view.jobs });
  }
  // Every change of every paid job (this tab's runs, re-attached ones, other tabs' via lookups) lands on its node.
  const unsubscribeLedger = deps.ledger?.subscribe((u) =>
    store.setState((s) => reduceLedgerUpdate({ run: s.run, results: s.results, jobs: s.jobs }, u, ctx.jobContext(s))),
  );

  return Object.assign(store, {
    /** Undoes one step and ends any open typing group. */
    undo: () => {
      ctx.history.close();
      store.temporal.getState().undo();
    },
    redo: () => {
      ctx.history.close();
      store.temporal.getState().redo();
    },
    /** Runs pending planner work now (tests, before reading `analysis`). */
    flushAnalysis: runAnalysis,
    /** The workflows of recent runs (what their results are attributed to). */
    snapshots: ctx.snapshots,
    /** The tabs this store is one of (opening a workflow opens a tab); undefined for a store alone. */
    tabs: deps.tabs,
    /** Stops following the ledger (a closed tab whose run has ended). */
    dispose: () => unsubscribeLedger?.(),
  });
}

export type StudioStore = ReturnType<typeof createStudioStore>;
