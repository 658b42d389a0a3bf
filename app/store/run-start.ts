import type { RunPlan } from '../engine/plan';
import type { Workflow } from '../graph/workflow-schema';
import { applyLateResult, isRunActive, reduceRunEvent, startingRun } from './run-reducer';
import { RUN_RECORD_VERSION, type AcceptedEstimate, type RunRecord } from './run-record';
import type { RunSnapshots } from './run-snapshots';
import type { GetState, SetState, StudioDeps, StudioState } from './store-types';

/** Everything one run is: planned once (for its estimate) and executed as planned. */
export interface RunSpec {
  plan: RunPlan;
  workflow: Workflow;
  targets: readonly string[] | undefined;
  runId: string;
  /** The document the run belongs to: its events are shown only while that document is open. */
  documentId: string;
  /** Nodes left out because their earlier attempt needs the user's choice to pay again: node id → job id. */
  held: ReadonlyMap<string, string>;
  estimate?: AcceptedEstimate;
  /** A run started before a reload. */
  continued?: boolean;
}

export function newRunId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return c?.randomUUID?.() ?? `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Runs one planned run: shows it starting, persists it when it has paid work (so a reload
 * continues it), executes the plan, folds every event into the store, and forgets the persisted run
 * once it ended. A run that ends without run-done never leaves the UI "running".
 */
export async function executeRun(
  spec: RunSpec,
  signal: AbortSignal,
  c: { set: SetState; get: GetState; deps: StudioDeps; snapshots: RunSnapshots },
): Promise<void> {
  const { set, get, deps } = c;
  const { plan, runId } = spec;
  c.snapshots.add({
    runId,
    documentId: spec.documentId,
    workflow: spec.workflow,
    cacheKeys: new Map([...plan.nodes].map(([id, n]) => [id, n.cacheKey] as const)),
    continued: !!spec.continued,
  });
  // Every later change of the run view goes through here: none lands on a document opened since.
  const update = (fold: (s: StudioState) => Partial<StudioState>) => set((s) => (s.documentId === spec.documentId ? fold(s) : s));
  update((s) => ({
    run: startingRun(s.run, spec.held, { ...(spec.continued ? { continued: true } : {}), ...(spec.estimate ? { estimate: spec.estimate } : {}) }),
    pendingRun: null,
  }));
  // Only runs with paid work are worth continuing after a reload (a free one is just run again; Save nodes would save twice).
  const persisted = plan.ok && deps.runs !== undefined && [...plan.nodes.values()].some((n) => n.def.traits?.billing);
  if (persisted) {
    const record: RunRecord = {
      v: RUN_RECORD_VERSION,
      runId,
      startedAt: (deps.wallNow ?? Date.now)(),
      workflow: spec.workflow,
      ...(spec.targets ? { targets: [...spec.targets] } : {}),
      held: Object.fromEntries(spec.held),
      ...(spec.estimate ? { estimate: spec.estimate } : {}),
    };
    await deps
      .runs!.save(record)
      .catch((err: unknown) =>
        get().notify(
          `This run could not be saved in the browser, so a reload will not continue it (its paid jobs are still recorded): ${message(err)}`,
          'error',
        ),
      );
  }
  try {
    await deps.engine.executePlan(plan, deps.services, {
      runId,
      concurrency: deps.concurrency ?? 4,
      cache: deps.cache,
      signal,
      onEvent: (event) => update((s) => reduceRunEvent({ run: s.run, results: s.results, jobs: s.jobs }, event)),
      // A job billed after a stop still delivers; the engine caches it, the node shows it.
      onLateResult: (nodeId, result) => update((s) => applyLateResult({ run: s.run, results: s.results, jobs: s.jobs }, runId, nodeId, result)),
    });
  } catch (err) {
    update((s) => ({ run: { ...s.run, phase: 'failed', failure: message(err) } }));
  } finally {
    if (isRunActive(get().run) && (get().run.runId === runId || get().run.runId === null))
      update((s) => ({ run: { ...s.run, phase: signal.aborted ? 'aborted' : 'failed' } }));
    if (persisted) await deps.runs!.clear(runId).catch(() => undefined);
  }
}
