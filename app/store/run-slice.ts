import type { Workflow } from '../graph/workflow-schema';
import { AbortedError } from '../lib/clock';
import { estimateCost, type CostEstimate } from './cost';
import { withJobsInFlight } from './cost-in-flight';
import { applyLateResult, idleRun, isRunActive, markStopping, reduceRunEvent, type NodeResult, type RunState } from './run-reducer';
import type { GetState, SetState, SliceContext } from './store-types';

/** A run waiting for the user to accept its cost. */
export interface PendingRun {
  estimate: CostEstimate;
  /** The workflow as it was estimated: exactly this is run on confirm. */
  workflow: Workflow;
  targets: readonly string[] | undefined;
}

/** Run state: reduced from executor events, never undoable, never persisted with the workflow. */
export interface RunSlice {
  run: RunState;
  /** Last outputs per node, kept across runs so previews stay until replaced. */
  results: Readonly<Record<string, NodeResult>>;
  /** Set while the cost dialog is open. */
  pendingRun: PendingRun | null;
  /** True while the cost estimate is being computed. */
  estimating: boolean;
  /**
   * Runs the graph (or only what `targets` need). When paid jobs would be submitted, opens the
   * cost dialog instead and runs on {@link confirmRun}.
   */
  requestRun(targets?: readonly string[]): Promise<void>;
  confirmRun(): Promise<void>;
  cancelPendingRun(): void;
  /** Stops the run: queued jobs are cancelled at the API; running ones finish and are billed. */
  stopRun(): void;
  /** Clears the finished run's node states (results stay). */
  clearRun(): void;
  /**
   * Shows cached results for nodes that have none on screen (after a reload): the cache is
   * keyed by the node's current key, so only results that are still valid come back.
   */
  hydrateResults(): Promise<void>;
}

export function createRunSlice(set: SetState, get: GetState, ctx: SliceContext): RunSlice {
  const { deps } = ctx;
  let controller: AbortController | null = null;

  const start = async (workflow: Workflow, targets: readonly string[] | undefined) => {
    if (isRunActive(get().run)) return;
    controller = new AbortController();
    const signal = controller.signal;
    let runId: string | null = null;
    set({ run: { ...idleRun, phase: 'starting' }, pendingRun: null });
    try {
      await deps.engine.runGraph(workflow, deps.registry, deps.services, {
        ...(targets ? { targets } : {}),
        concurrency: deps.concurrency ?? 4,
        cache: deps.cache,
        signal,
        onEvent: (event) => {
          if (event.type === 'run-start') runId = event.runId;
          set((s) => reduceRunEvent(s.run, s.results, event));
        },
        // A job billed after a stop still delivers; the engine caches it, the node shows it.
        onLateResult: (nodeId, result) => set((s) => applyLateResult(s.run, s.results, runId, nodeId, result)),
      });
    } catch (err) {
      const failure = err instanceof Error ? err.message : String(err);
      set((s) => ({ run: { ...s.run, phase: 'failed', failure } }));
    } finally {
      controller = null;
      // A runner that ended without run-done must not leave the UI "running" forever.
      if (isRunActive(get().run)) set((s) => ({ run: { ...s.run, phase: signal.aborted ? 'aborted' : 'failed' } }));
    }
  };

  return {
    run: idleRun,
    results: {},
    pendingRun: null,
    estimating: false,

    async requestRun(targets) {
      if (isRunActive(get().run) || get().pendingRun || get().estimating) return;
      const workflow = get().workflow;
      set({ estimating: true });
      let estimate: CostEstimate | undefined;
      try {
        const plan = deps.engine.planRun(workflow, deps.registry, targets ? { targets } : {});
        // An invalid plan runs nothing (the run reports why), so there is nothing to pay for.
        if (plan.ok)
          estimate = withJobsInFlight(await estimateCost(workflow, deps.registry, plan, deps.cache, deps.pricing), plan, deps.journal?.inFlightKeys?.() ?? []);
      } finally {
        set({ estimating: false });
      }
      if (estimate && estimate.paidJobs > 0) {
        set({ pendingRun: { estimate, workflow, targets } });
        return;
      }
      await start(workflow, targets);
    },

    async confirmRun() {
      const pending = get().pendingRun;
      if (!pending) return;
      await start(pending.workflow, pending.targets);
    },

    cancelPendingRun() {
      set({ pendingRun: null });
    },

    stopRun() {
      if (!controller || !isRunActive(get().run)) return;
      set((s) => ({ run: markStopping(s.run) }));
      controller.abort(new AbortedError('Stopped by the user'));
    },

    clearRun() {
      if (isRunActive(get().run)) return;
      set({ run: idleRun });
    },

    async hydrateResults() {
      const found: Record<string, NodeResult> = {};
      for (const [nodeId, cacheKey] of get().analysis.cacheKeys) {
        if (get().results[nodeId]) continue;
        const hit = await deps.cache.get(cacheKey).catch(() => undefined);
        if (hit) found[nodeId] = { outputs: hit.outputs, meta: hit.meta, cacheKey, cached: true };
      }
      if (Object.keys(found).length) set((s) => ({ results: { ...found, ...s.results } }));
    },
  };
}
