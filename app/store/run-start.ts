import type { RunStatus } from '../engine/events';
import type { RunPlan } from '../engine/plan';
import { loadWorkflow } from '../graph/load-workflow';
import type { Workflow } from '../graph/workflow-schema';
import { withoutNodes } from './plan-prune';
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
 * once it ended. A run that ends without run-done never leaves the UI "running". Resolves with
 * how the run ended.
 */
export async function executeRun(
  spec: RunSpec,
  signal: AbortSignal,
  c: { set: SetState; get: GetState; deps: StudioDeps; snapshots: RunSnapshots },
): Promise<RunStatus> {
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
  let status: RunStatus = 'failed';
  try {
    const summary = await deps.engine.executePlan(plan, deps.services, {
      runId,
      concurrency: deps.concurrency ?? 4,
      cache: deps.cache,
      signal,
      onEvent: (event) => update((s) => reduceRunEvent({ run: s.run, results: s.results, jobs: s.jobs }, event)),
      // A job billed after a stop still delivers; the engine caches it, the node shows it.
      onLateResult: (nodeId, result) => update((s) => applyLateResult({ run: s.run, results: s.results, jobs: s.jobs }, runId, nodeId, result)),
    });
    status = summary.status;
  } catch (err) {
    update((s) => ({ run: { ...s.run, phase: 'failed', failure: message(err) } }));
  } finally {
    if (isRunActive(get().run) && (get().run.runId === runId || get().run.runId === null))
      update((s) => ({ run: { ...s.run, phase: signal.aborted ? 'aborted' : 'failed' } }));
    if (persisted) await deps.runs!.clear(runId).catch(() => undefined);
  }
  return status === 'failed' && signal.aborted ? 'aborted' : status;
}

/**
 * Continues a run a reload interrupted: no cost dialog (it was accepted), its Pay-again choices
 * kept, paid jobs joined or re-attached, never resubmitted. Resolves with how it ended, or
 * undefined when it could not start (its workflow no longer loads: the record is dropped).
 */
export async function continueRecordedRun(
  record: RunRecord,
  c: { get: GetState; deps: StudioDeps; start: (spec: RunSpec) => Promise<RunStatus | undefined> },
): Promise<RunStatus | undefined> {
  const { get, deps } = c;
  const loaded = loadWorkflow(record.workflow, deps.registry);
  if (!loaded.ok) {
    await deps.runs?.clear(record.runId).catch(() => undefined);
    get().notify(
      `The run started before the reload could not be continued: its workflow no longer loads (${loaded.issues[0]?.message ?? 'not a workflow'}).`,
      'error',
    );
    return undefined;
  }
  for (const id of record.estimate?.repay ?? []) deps.ledger?.allowRepay(id);
  const held = new Map(Object.entries(record.held));
  const planned = deps.engine.planRun(loaded.workflow, deps.registry, record.targets ? { targets: record.targets } : {});
  const { plan } = withoutNodes(planned, held.keys());
  get().notify('Continuing the run started before the reload', 'info');
  return c.start({
    plan,
    workflow: loaded.workflow,
    targets: record.targets,
    runId: record.runId,
    // The page restored the workflow it saved when the run started: the run continues in that document.
    documentId: get().documentId,
    held,
    continued: true,
    ...(record.estimate ? { estimate: record.estimate } : {}),
  });
}
