import { temporal } from 'zundo';
import { createStore } from 'zustand/vanilla';
import { emptyWorkflow, type Workflow } from '../graph/workflow-schema';
import { analyze, emptyAnalysis, structureChanged } from './analysis';
import { createGraphSlice } from './graph-slice';
import { createHistoryGrouper } from './history';
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
  const ctx: SliceContext = { deps, history: createHistoryGrouper(now), clearHistory: () => undefined };

  const store = createStore<StudioState>()(
    temporal(
      (set, get) => {
        const setState = set as SetState;
        return {
          ...createGraphSlice(setState, get, ctx, deps.workflow ?? emptyWorkflow()),
          ...createRunSlice(setState, get, ctx),
          ...createUiSlice(setState),
          ...createSessionSlice(setState, get, ctx),
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

  let analysed: Workflow | null = null;
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
  runAnalysis();

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
  });
}

export type StudioStore = ReturnType<typeof createStudioStore>;
