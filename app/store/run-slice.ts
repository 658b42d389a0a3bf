import type { RunStatus } from '../engine/events';
import { estimateCost, type CostEstimate } from '../engine/estimate-cost';
import type { RunPlan } from '../engine/plan';
import type { Issue } from '../graph/issues';
import type { Workflow } from '../graph/workflow-schema';
import type { RecoveryReport } from '../ledger';
import { AbortedError } from '../lib/clock';
import { acceptedEstimate } from './cost-choice';
import { seedJobs } from './job-reducer';
import { withoutNodes } from './plan-prune';
import { createQueueActions, type QueuedRequest } from './queued-run';
import type { QueueItem, QueueOutcome } from './run-queue';
import { idleRun, isRunActive, markStopping, type JobView, type NodeResult, type RunState } from './run-reducer';
import type { RunRecord } from './run-record';
import { continueRecordedRun, executeRun, newRunId, type RunSpec } from './run-start';
import type { SeedMode } from './seed-control';
import type { GetState, SetState, SliceContext } from './store-types';

/** A run waiting for the user to accept its cost. */
export interface PendingRun {
  estimate: CostEstimate;
  /** The plan the estimate was made from: exactly this is run on confirm. */
  plan: RunPlan;
  workflow: Workflow;
  targets: readonly string[] | undefined;
  /** Earlier attempts already chosen for paying again (the node's "Pay again" button), by job id. */
  repay: readonly string[];
  /** With a run queue: accepting queues these runs (the first is the one above). */
  queue?: QueuedRequest;
}

/** What Run asks for besides its targets. */
export interface RunRequestOptions {
  repay?: readonly string[];
  /** Queue ×N: this many runs (with a run queue; at most MAX_QUEUE_COUNT). */
  count?: number;
  /** ComfyUI's control after generate for every seed: each run after the first takes the seeds moved on once more. */
  seedMode?: SeedMode;
}

/** Run state: reduced from executor events and ledger updates, never undoable, never persisted with the workflow. */
export interface RunSlice {
  run: RunState;
  /** Last outputs per node, kept across runs so previews stay until replaced. */
  results: Readonly<Record<string, NodeResult>>;
  /** Every paid job seen this session, by job id: the latest record and the ledger's last sentence. */
  jobs: Readonly<Record<string, JobView>>;
  /** Set while the cost dialog is open. */
  pendingRun: PendingRun | null;
  /** True while the cost estimate is being computed. */
  estimating: boolean;
  /**
   * Runs the graph (or only what `targets` need). When paid jobs would be submitted, or an
   * earlier attempt blocks paying again, opens the cost dialog instead and runs on confirm.
   * With a run queue, the run (or Queue ×N's runs) is queued instead, even while a run is going.
   */
  requestRun(targets?: readonly string[], options?: RunRequestOptions): Promise<void>;
  /** Runs the pending run; `repay` names the earlier attempts the user chose to pay again for (the rest are not run). */
  confirmRun(repay?: readonly string[]): Promise<void>;
  cancelPendingRun(): void;
  /** Stops the run: queued jobs are cancelled at the API; running ones finish, are billed and still collected. */
  stopRun(): void;
  /** Clears the finished run's node states (results and jobs that matter stay). */
  clearRun(): void;
  /** Shows cached results for nodes that have none on screen (after a reload). */
  hydrateResults(): Promise<void>;
  /** The run a reload interrupted, if this tab has one. */
  loadUnfinishedRun(): Promise<RunRecord | undefined>;
  /** Continues a run started before a reload: no cost dialog (it was accepted), paid jobs joined, never resubmitted. */
  continueRun(record: RunRecord): Promise<void>;
  /** The node's "Pay again" button: the cost dialog for that node with its earlier attempt chosen. */
  payAgain(nodeId: string, jobId: string): Promise<void>;
  /** The node's "Fetch missing images" button: free, nothing is submitted. */
  fetchMissing(jobId: string): Promise<void>;
  /** Hides an unknown or lost job the user has seen (the ledger keeps it). */
  dismissJob(jobId: string): Promise<void>;
  /** Asks the ledger what the last page left (after a reload) and shows it. */
  recoverJobs(): Promise<RecoveryReport | undefined>;
  /** Applies a planner issue's fix (one undo step); with the cost dialog open, works the cost out again for the fixed graph. */
  applyFix(nodeId: string, fix: NonNullable<Issue['fix']>): Promise<void>;
  /** Shows what the ledger recovered (asked once for every tab). */
  showRecovered(report: RecoveryReport): void;
  /** The queue's turn for one of this tab's runs: runs it within what was accepted; resolves when it ended. */
  runQueued(item: QueueItem): Promise<QueueOutcome>;
  /** Opens the cost dialog again for a queued run that would now cost more than accepted. */
  reviewQueued(item: QueueItem): void;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function createRunSlice(set: SetState, get: GetState, ctx: SliceContext): RunSlice {
  const { deps } = ctx;
  let controller: AbortController | null = null;

  const start = async (spec: RunSpec): Promise<RunStatus | undefined> => {
    if (isRunActive(get().run) || controller) return undefined;
    controller = new AbortController();
    try {
      return await executeRun(spec, controller.signal, { set, get, deps, snapshots: ctx.snapshots });
    } finally {
      controller = null;
    }
  };

  const continueRecord = (record: RunRecord) => continueRecordedRun(record, { get, deps, start });
  const queued = createQueueActions({ set, get, deps, start, continueRecord });

  return {
    run: idleRun,
    results: {},
    jobs: {},
    pendingRun: null,
    estimating: false,

    async requestRun(targets, options = {}) {
      if (deps.queue) return queued.request(targets, options);
      if (isRunActive(get().run) || get().pendingRun || get().estimating) return;
      const { workflow, documentId } = get();
      set({ estimating: true });
      let plan: RunPlan;
      let estimate: CostEstimate | undefined;
      try {
        plan = deps.engine.planRun(workflow, deps.registry, targets ? { targets } : {});
        // An invalid plan runs nothing (the run reports why), so there is nothing to pay for.
        if (plan.ok) {
          estimate = await estimateCost(plan, {
            cache: deps.cache,
            ...(deps.ledger ? { ledger: deps.ledger } : {}),
            priceUsd: (model, signal) => deps.pricing.priceUsd(model, signal),
          });
        }
      } catch (err) {
        // Without knowing what is stored or in flight, nothing is started: paying twice is worse than waiting.
        get().notify(`The cost of this run could not be worked out, so nothing was started: ${message(err)}`, 'error');
        return;
      } finally {
        set({ estimating: false });
      }
      // Another document was opened while the cost was worked out: this run is not its run.
      if (get().documentId !== documentId) return;
      if (estimate && (estimate.paidJobs > 0 || estimate.blocked.length > 0)) {
        set({ pendingRun: { estimate, plan, workflow, targets, repay: options.repay ?? [] } });
        return;
      }
      await start({
        plan,
        workflow,
        targets,
        runId: newRunId(),
        documentId,
        held: new Map(),
        ...(estimate ? { estimate: acceptedEstimate(estimate, new Set()) } : {}),
      });
    },

    async confirmRun(repay) {
      const pending = get().pendingRun;
      if (!pending) return;
      if (pending.queue && deps.queue) return queued.accept({ ...pending, queue: pending.queue }, repay ?? pending.repay);
      const blockedIds = new Set(pending.estimate.blocked.flatMap((b) => (b.job ? [b.job.jobId] : [])));
      const chosen = new Set((repay ?? pending.repay).filter((id) => blockedIds.has(id)));
      for (const id of chosen) deps.ledger?.allowRepay(id);
      const held = new Map(pending.estimate.blocked.filter((b) => b.job && !chosen.has(b.job.jobId)).map((b) => [b.nodeId, b.job!.jobId] as const));
      const { plan } = withoutNodes(pending.plan, held.keys());
      await start({
        plan,
        workflow: pending.workflow,
        targets: pending.targets,
        runId: newRunId(),
        documentId: get().documentId,
        held,
        estimate: acceptedEstimate(pending.estimate, chosen),
      });
    },

    cancelPendingRun() {
      set({ pendingRun: null });
    },

    stopRun() {
      if (!controller || !isRunActive(get().run)) return;
      const reason = new AbortedError('Stopped by the user');
      const runId = get().run.runId;
      set((s) => ({ run: markStopping(s.run) }));
      controller.abort(reason);
      // Jobs the run joined (re-attached after a reload) are stopped too: queued ones are cancelled.
      deps.ledger?.stopAll(reason);
      // A stopped run is not continued after a reload (its billed jobs are still collected by the ledger).
      if (runId) {
        ctx.snapshots.markStopped(runId);
        void deps.runs?.clear(runId).catch(() => undefined);
      }
    },

    clearRun() {
      if (isRunActive(get().run)) return;
      set((s) => {
        const nodes = Object.fromEntries(Object.entries(s.run.nodes).flatMap(([id, n]) => (n.job ? [[id, { status: n.status, job: n.job }]] : [])));
        return { run: { ...idleRun, nodes } };
      });
    },

    async hydrateResults() {
      const { documentId } = get();
      const found: Record<string, NodeResult> = {};
      for (const [nodeId, cacheKey] of get().analysis.cacheKeys) {
        if (get().results[nodeId]) continue;
        const hit = await deps.cache.get(cacheKey).catch(() => undefined);
        if (hit) found[nodeId] = { outputs: hit.outputs, meta: hit.meta, cacheKey, cached: true };
      }
      if (Object.keys(found).length) set((s) => (s.documentId === documentId ? { results: { ...found, ...s.results } } : s));
    },

    async loadUnfinishedRun() {
      return deps.runs?.load();
    },

    async continueRun(record) {
      await continueRecord(record);
    },

    async payAgain(nodeId, jobId) {
      await get().requestRun([nodeId], { repay: [jobId] });
    },

    async fetchMissing(jobId) {
      if (!deps.ledger) return;
      try {
        await deps.ledger.fetchMissing(jobId);
      } catch (err) {
        get().notify(`The missing images could not be fetched: ${message(err)}`, 'error');
      }
    },

    async dismissJob(jobId) {
      await deps.ledger?.dismiss(jobId).catch((err: unknown) => get().notify(`Could not dismiss job ${jobId}: ${message(err)}`, 'error'));
    },

    async applyFix(nodeId, fix) {
      const pending = get().pendingRun;
      get().closeHistoryGroup();
      get().setParam(nodeId, fix.param, fix.value);
      get().closeHistoryGroup();
      // The estimate was made for the graph before the fix: what is confirmed must be what is shown.
      if (pending) {
        set({ pendingRun: null });
        await get().requestRun(pending.targets, { repay: pending.repay });
      }
    },

    async recoverJobs() {
      if (!deps.ledger) return undefined;
      let report: RecoveryReport;
      try {
        report = await deps.ledger.recover();
      } catch (err) {
        get().notify(`The paid jobs of the last session could not be read: ${message(err)}`, 'error');
        return undefined;
      }
      get().showRecovered(report);
      return report;
    },

    showRecovered(report) {
      const records = [...report.orphaned, ...report.reattached, ...report.blocked, ...report.elsewhere];
      if (records.length) set((s) => seedJobs({ run: s.run, results: s.results, jobs: s.jobs }, records, ctx.jobContext(s)));
    },

    runQueued: queued.run,
    reviewQueued: queued.review,
  };
}
