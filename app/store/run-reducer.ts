import type { Issue } from '../graph/issues';
import type { ProgressDetail } from '../graph/node-definition';
import type { NodeErrorInfo, NodeMeta, NodeOutputs, RunCounts, RunEvent, RunStatus, SkipReason } from '../engine/events';

export type NodeRunStatus = 'waiting' | 'queued' | 'running' | 'cached' | 'done' | 'error' | 'skipped';

/** One node's state in the current (or last) run. */
export interface NodeRunState {
  status: NodeRunStatus;
  /** Clock time of node-start (for the elapsed timer). */
  startedAt?: number;
  durationMs?: number;
  phase?: ProgressDetail['phase'];
  queuePosition?: number;
  requestId?: string;
  fraction?: number;
  message?: string;
  error?: NodeErrorInfo;
  skipReason?: SkipReason;
  because?: string;
  /**
   * The run was stopped while this job was running at the API: it cannot be cancelled, will be
   * billed, and its result is still collected.
   */
  billedAfterStop?: boolean;
  /** A billed job's images are still being collected after the stop. */
  collecting?: boolean;
  /** They arrived after the stop: the node's result (and the cache) hold them. */
  collected?: boolean;
  /** A paid job from before a reload, re-attached from the request journal (never resubmitted). */
  reattached?: boolean;
}

/** The last outputs a node produced, with the cache key they were made under (for stale marks). */
export interface NodeResult {
  outputs: NodeOutputs;
  meta: NodeMeta;
  cacheKey: string;
  cached: boolean;
}

export type RunPhase = 'idle' | 'starting' | 'running' | 'stopping' | RunStatus;

export interface RunState {
  runId: string | null;
  phase: RunPhase;
  startedAt?: number;
  durationMs?: number;
  /** Planned nodes in run order. */
  nodeIds: readonly string[];
  nodes: Readonly<Record<string, NodeRunState>>;
  issues: readonly Issue[];
  counts?: RunCounts;
  /** An unexpected failure of the run itself (not of a node). */
  failure?: string;
}

export const idleRun: RunState = { runId: null, phase: 'idle', nodeIds: [], nodes: {}, issues: [] };

export const isRunActive = (run: RunState): boolean => run.phase === 'starting' || run.phase === 'running' || run.phase === 'stopping';

/** The phases of a remote job during which cancelling is impossible and billing certain. */
const BILLED_PHASES = new Set<ProgressDetail['phase']>(['running', 'downloading']);

/** Marks the run as stopping; jobs already running at the API are flagged as billed. */
export function markStopping(run: RunState): RunState {
  if (!isRunActive(run)) return run;
  const nodes: Record<string, NodeRunState> = { ...run.nodes };
  for (const [id, n] of Object.entries(run.nodes)) {
    if (n.status === 'running' && n.requestId !== undefined && BILLED_PHASES.has(n.phase)) {
      nodes[id] = { ...n, billedAfterStop: true, collecting: true };
    }
  }
  return { ...run, phase: 'stopping', nodes };
}

/**
 * Folds one executor event into the run state and the kept results. Events of another run are
 * ignored. Only the node an event names gets a new object, so only its view re-renders.
 */
export function reduceRunEvent(
  run: RunState,
  results: Readonly<Record<string, NodeResult>>,
  e: RunEvent,
): { run: RunState; results: Readonly<Record<string, NodeResult>> } {
  if (e.type === 'run-start') {
    const nodes: Record<string, NodeRunState> = {};
    for (const id of e.nodeIds) nodes[id] = { status: 'waiting' };
    const phase = run.phase === 'stopping' ? 'stopping' : 'running';
    return { run: { runId: e.runId, phase, startedAt: e.at, nodeIds: e.nodeIds, nodes, issues: [] }, results };
  }
  if (e.runId !== run.runId) return { run, results };
  if (e.type === 'run-done') {
    return { run: { ...run, phase: e.status, durationMs: e.durationMs, counts: e.counts, issues: e.issues }, results };
  }
  const prev = run.nodes[e.nodeId] ?? { status: 'waiting' as const };
  const put = (next: NodeRunState, newResults = results) => ({
    run: { ...run, nodes: { ...run.nodes, [e.nodeId]: next } },
    results: newResults,
  });
  switch (e.type) {
    case 'node-start':
      return put({ status: 'running', startedAt: e.at });
    case 'node-progress': {
      const d = e.detail ?? {};
      const phase = d.phase ?? prev.phase;
      const status = phase === 'queued' ? 'queued' : 'running';
      return put({
        ...prev,
        status,
        phase,
        queuePosition: phase === 'queued' ? (d.queuePosition ?? prev.queuePosition) : undefined,
        requestId: d.requestId ?? prev.requestId,
        fraction: e.fraction ?? prev.fraction,
        message: e.message ?? prev.message,
        ...(run.phase === 'stopping' && e.detail?.requestId !== undefined && BILLED_PHASES.has(phase) ? { billedAfterStop: true, collecting: true } : {}),
      });
    }
    case 'node-cached':
      return put({ status: 'cached' }, { ...results, [e.nodeId]: { outputs: e.outputs, meta: e.meta, cacheKey: e.cacheKey, cached: true } });
    case 'node-done':
      return put(
        { status: 'done', durationMs: e.durationMs, requestId: prev.requestId, billedAfterStop: prev.billedAfterStop },
        { ...results, [e.nodeId]: { outputs: e.outputs, meta: e.meta, cacheKey: e.cacheKey, cached: false } },
      );
    case 'node-error':
      // A job stopped while running at the API keeps its billing flag: the node shows
      // "still running — will be billed" rather than a plain failure.
      return put({
        status: 'error',
        durationMs: e.durationMs,
        error: e.error,
        requestId: prev.requestId,
        billedAfterStop: prev.billedAfterStop,
        phase: prev.phase,
        collecting: prev.collecting,
      });
    case 'node-skipped':
      return put({ status: 'skipped', skipReason: e.reason, because: e.because });
  }
}

/**
 * A node that finished after the run was stopped (a billed job whose images were still
 * collected): its outputs become the node's result, and, if that run is still the one shown,
 * its row says the images arrived.
 */
export function applyLateResult(
  run: RunState,
  results: Readonly<Record<string, NodeResult>>,
  runId: string | null,
  nodeId: string,
  result: { cacheKey: string; outputs: NodeOutputs; meta: NodeMeta },
): { run: RunState; results: Readonly<Record<string, NodeResult>> } {
  const nextResults = { ...results, [nodeId]: { outputs: result.outputs, meta: result.meta, cacheKey: result.cacheKey, cached: false } };
  const node = run.runId === runId ? run.nodes[nodeId] : undefined;
  if (!node) return { run, results: nextResults };
  return {
    run: { ...run, nodes: { ...run.nodes, [nodeId]: { ...node, status: 'done', collecting: false, collected: true } } },
    results: nextResults,
  };
}
