import type { Issue } from '../graph/issues';
import type { ProgressDetail } from '../graph/node-definition';
import type { NodeErrorInfo, NodeMeta, NodeOutputs, RunCounts, RunEvent, RunStatus, SkipReason } from '../engine/events';
import type { JobRecord } from '../ledger';
import type { AcceptedEstimate } from './run-record';

export type NodeRunStatus = 'waiting' | 'queued' | 'running' | 'cached' | 'done' | 'error' | 'skipped';

/** A paid job as the editor knows it: the ledger's latest record and the last thing it said about it. */
export interface JobView {
  record: JobRecord;
  message?: string;
}

/** One node's state: what the current (or last) run did with it, and the paid job it shows. */
export interface NodeRunState {
  status: NodeRunStatus;
  /** The cache key the run ran it under (node-start). */
  cacheKey?: string;
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
  /** Stop was pressed while this node was queued or running. */
  stopped?: boolean;
  /** Its paid job delivered after the run that started it stopped: the node's result holds the images. */
  collected?: boolean;
  /** Left out of the run: its earlier attempt (this job id) needs the user's choice to pay again. */
  held?: string;
  /** The paid job shown here: the job its current run started or joined, else the newest of its current cache key. */
  job?: JobView;
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
  /** Per node: run state and paid job (nodes outside the run appear while they show a job that matters). */
  nodes: Readonly<Record<string, NodeRunState>>;
  issues: readonly Issue[];
  counts?: RunCounts;
  /** An unexpected failure of the run itself (not of a node). */
  failure?: string;
  /** A run started before a reload, continued without asking again. */
  continued?: boolean;
  /** What the user accepted before it started. */
  estimate?: AcceptedEstimate;
}

/** The run state, the kept results and the known paid jobs: what both reducers fold into. */
export interface RunView {
  run: RunState;
  results: Readonly<Record<string, NodeResult>>;
  jobs: Readonly<Record<string, JobView>>;
}

export const idleRun: RunState = { runId: null, phase: 'idle', nodeIds: [], nodes: {}, issues: [] };

export const isRunActive = (run: RunState): boolean => run.phase === 'starting' || run.phase === 'running' || run.phase === 'stopping';

/** Whether a node still shows its job outside a run: the job is going on, or needs the user (partial, blocked). */
export const jobMatters = (r: JobRecord): boolean =>
  ['intent', 'submitted', 'queued', 'running', 'completed', 'unknown-submission', 'outputs-expired', 'lost'].includes(r.state) ||
  (r.state === 'stored' && r.partial);

/** A node's status from its job alone, for nodes the current run does not drive. */
export function statusOfRecord(r: JobRecord): NodeRunStatus {
  switch (r.state) {
    case 'queued':
      return 'queued';
    case 'intent':
    case 'submitted':
    case 'running':
    case 'completed':
      return 'running';
    case 'stored':
      return 'done';
    default:
      return 'error';
  }
}

/** Marks the run as stopping and every node then queued or running as stopped (its job says what that costs). */
export function markStopping(run: RunState): RunState {
  if (!isRunActive(run)) return run;
  const nodes: Record<string, NodeRunState> = { ...run.nodes };
  for (const [id, n] of Object.entries(run.nodes)) if (n.status === 'running' || n.status === 'queued') nodes[id] = { ...n, stopped: true };
  return { ...run, phase: 'stopping', nodes };
}

/**
 * Folds one executor event into the view. Events of another run are ignored. Only the node an
 * event names gets a new object, so only its view re-renders. A progress event naming a job
 * (the ledger's id) ties that job to the node.
 */
export function reduceRunEvent(view: RunView, e: RunEvent): RunView {
  const { run, results, jobs } = view;
  if (e.type === 'run-start') {
    const nodes: Record<string, NodeRunState> = {};
    // Nodes outside this run keep showing a job that is going on or needs the user.
    for (const [id, n] of Object.entries(run.nodes)) {
      if (n.job && jobMatters(n.job.record)) nodes[id] = n.held ? n : { status: statusOfRecord(n.job.record), job: n.job };
    }
    for (const id of e.nodeIds) {
      const old = run.nodes[id];
      nodes[id] = { status: 'waiting', ...(old?.job && jobMatters(old.job.record) ? { job: old.job } : {}) };
    }
    const phase = run.phase === 'stopping' ? 'stopping' : 'running';
    const kept = { ...(run.continued ? { continued: true } : {}), ...(run.estimate ? { estimate: run.estimate } : {}) };
    return { ...view, run: { runId: e.runId, phase, startedAt: e.at, nodeIds: e.nodeIds, nodes, issues: [], ...kept } };
  }
  if (e.runId !== run.runId) return view;
  if (e.type === 'run-done') {
    return { ...view, run: { ...run, phase: e.status, durationMs: e.durationMs, counts: e.counts, issues: e.issues } };
  }
  const prev = run.nodes[e.nodeId] ?? { status: 'waiting' as const };
  const keep = { ...(prev.job ? { job: prev.job } : {}), ...(prev.cacheKey ? { cacheKey: prev.cacheKey } : {}) };
  const put = (next: NodeRunState, newResults = results): RunView => ({
    run: { ...run, nodes: { ...run.nodes, [e.nodeId]: next } },
    results: newResults,
    jobs,
  });
  switch (e.type) {
    case 'node-start':
      return put({ ...(prev.job ? { job: prev.job } : {}), status: 'running', startedAt: e.at, cacheKey: e.cacheKey });
    case 'node-progress': {
      const d = e.detail ?? {};
      const phase = d.phase ?? prev.phase;
      const job = d.jobId !== undefined ? (jobs[d.jobId] ?? prev.job) : prev.job;
      return put({
        ...prev,
        status: phase === 'queued' ? 'queued' : 'running',
        phase,
        queuePosition: phase === 'queued' ? (d.queuePosition ?? prev.queuePosition) : undefined,
        requestId: d.requestId ?? prev.requestId,
        fraction: e.fraction ?? prev.fraction,
        message: e.message ?? prev.message,
        ...(job ? { job } : {}),
      });
    }
    case 'node-cached':
      return put({ ...keep, status: 'cached' }, { ...results, [e.nodeId]: { outputs: e.outputs, meta: e.meta, cacheKey: e.cacheKey, cached: true } });
    case 'node-done':
      return put(
        {
          ...keep,
          status: 'done',
          durationMs: e.durationMs,
          ...(prev.requestId ? { requestId: prev.requestId } : {}),
          ...(prev.stopped ? { stopped: true } : {}),
        },
        { ...results, [e.nodeId]: { outputs: e.outputs, meta: e.meta, cacheKey: e.cacheKey, cached: false } },
      );
    case 'node-error':
      // A stopped node keeps its phase and job: the job, not the stop, says whether it is billed.
      return put({
        ...keep,
        status: 'error',
        durationMs: e.durationMs,
        error: e.error,
        ...(prev.requestId || e.error.requestId ? { requestId: prev.requestId ?? e.error.requestId } : {}),
        ...(prev.phase ? { phase: prev.phase } : {}),
        ...(prev.stopped ? { stopped: true } : {}),
      });
    case 'node-skipped':
      return put({ ...keep, status: 'skipped', skipReason: e.reason, ...(e.because ? { because: e.because } : {}), ...(prev.held ? { held: prev.held } : {}) });
  }
}

/**
 * A node that finished after the run was stopped (a billed job whose images were still
 * collected): its outputs become the node's result, and, if that run is still the one shown,
 * it says the images arrived.
 */
export function applyLateResult(
  view: RunView,
  runId: string | null,
  nodeId: string,
  result: { cacheKey: string; outputs: NodeOutputs; meta: NodeMeta },
): RunView {
  const results = { ...view.results, [nodeId]: { outputs: result.outputs, meta: result.meta, cacheKey: result.cacheKey, cached: false } };
  const node = view.run.runId === runId ? view.run.nodes[nodeId] : undefined;
  if (!node) return { ...view, results };
  return { ...view, results, run: { ...view.run, nodes: { ...view.run.nodes, [nodeId]: { ...node, status: 'done', collected: true } } } };
}

/** The run state right before a run of `nodeIds` starts: nodes left out (held) show why. */
export function startingRun(run: RunState, held: ReadonlyMap<string, string>, extra: Pick<RunState, 'continued' | 'estimate'>): RunState {
  const nodes: Record<string, NodeRunState> = { ...run.nodes };
  for (const [nodeId, jobId] of held) nodes[nodeId] = { ...(run.nodes[nodeId]?.job ? { job: run.nodes[nodeId]!.job! } : {}), status: 'skipped', held: jobId };
  return { ...idleRun, nodes, phase: 'starting', ...(extra.continued ? { continued: true } : {}), ...(extra.estimate ? { estimate: extra.estimate } : {}) };
}
