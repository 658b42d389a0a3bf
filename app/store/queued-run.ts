import type { RunStatus } from '../engine/events';
import { estimateCost, type CostEstimate } from '../engine/estimate-cost';
import type { RunPlan } from '../engine/plan';
import type { Workflow } from '../graph/workflow-schema';
import { acceptedEstimate } from './cost-choice';
import { withoutNodes } from './plan-prune';
import type { AcceptedEstimate } from './run-record';
import type { AcceptedRun, QueueItem, QueueOutcome } from './run-queue';
import type { RunRecord } from './run-record';
import type { PendingRun, RunRequestOptions } from './run-slice';
import { newRunId, type RunSpec } from './run-start';
import { seedsOf, seedVariations, withSeeds, type SeedSlot } from './seed-control';
import type { GetState, SetState, StudioDeps } from './store-types';

/** The most runs one "Queue ×N" asks for: every one of them may be paid. */
export const MAX_QUEUE_COUNT = 20;

/** One run of a request: its snapshot, its plan and what it would cost now. */
export interface RunDraft {
  workflow: Workflow;
  plan: RunPlan;
  /** Undefined when the plan is invalid (nothing would run, nothing is paid). */
  estimate?: CostEstimate;
  /** The snapshot's seeds, in node order. */
  seeds: readonly number[];
}

/** A request that queues its runs when accepted (the editor has a run queue). */
export interface QueuedRequest {
  drafts: readonly RunDraft[];
  /** The graph's seeds after queueing them (seed control after each run), set when accepted. */
  seedsAfter?: readonly SeedSlot[];
  /** A run was going or waiting when this was asked for: accepted runs wait their turn. */
  behind: boolean;
  /** The queued run (its id) whose cost went up, being accepted again. */
  replaces?: string;
}

type EstimateDeps = Pick<StudioDeps, 'engine' | 'registry' | 'cache' | 'ledger' | 'pricing'>;

/** Plans one snapshot and works out its cost (through the cache and the ledger, as the cost dialog does). */
export async function estimateRun(workflow: Workflow, targets: readonly string[] | undefined, deps: EstimateDeps): Promise<Omit<RunDraft, 'seeds'>> {
  const plan = deps.engine.planRun(workflow, deps.registry, targets ? { targets } : {});
  if (!plan.ok) return { workflow, plan };
  const estimate = await estimateCost(plan, {
    cache: deps.cache,
    ...(deps.ledger ? { ledger: deps.ledger } : {}),
    priceUsd: (model, signal) => deps.pricing.priceUsd(model, signal),
  });
  return { workflow, plan, estimate };
}

/** Whether any draft needs the cost dialog: something is paid, or an earlier attempt blocks paying again. */
export const needsConfirm = (drafts: readonly RunDraft[]): boolean =>
  drafts.some((d) => d.estimate && (d.estimate.paidJobs > 0 || d.estimate.blocked.length > 0));

const blockedIds = (estimate: CostEstimate | undefined) => new Set((estimate?.blocked ?? []).flatMap((b) => (b.job ? [b.job.jobId] : [])));

/** What the user accepts for each draft, with the Pay-again choices that concern it. */
export function acceptDrafts(
  request: QueuedRequest,
  repay: Iterable<string>,
  base: { targets: readonly string[] | undefined; documentId: string },
): AcceptedRun[] {
  const chosen = new Set(repay);
  const n = request.drafts.length;
  return request.drafts.map((d, i) => {
    const mine = new Set([...blockedIds(d.estimate)].filter((id) => chosen.has(id)));
    const accepted: AcceptedEstimate = d.estimate ? acceptedEstimate(d.estimate, mine) : { totalUsd: 0, paidJobs: 0, repay: [] };
    return {
      workflow: d.workflow,
      ...(base.targets ? { targets: base.targets } : {}),
      documentId: base.documentId,
      accepted,
      ...(d.seeds.length ? { seeds: d.seeds } : {}),
      ...(n > 1 ? { label: `${i + 1} of ${n}` } : {}),
    };
  });
}

/** Whether running now would cost more than was accepted: more paid jobs, or a higher known total. */
export function costsMore(now: AcceptedEstimate, accepted: AcceptedEstimate): boolean {
  if (now.paidJobs > accepted.paidJobs) return true;
  return now.totalUsd !== undefined && accepted.totalUsd !== undefined && now.totalUsd > accepted.totalUsd + 1e-9;
}

const OUTCOME: Record<RunStatus, 'done' | 'failed' | 'refused' | 'stopped'> = { succeeded: 'done', failed: 'failed', aborted: 'stopped', invalid: 'refused' };

/** How a run ended, for the queue: a graph refused by its checks says so, since nothing ran and nothing was paid. */
const outcomeOf = (status: RunStatus): QueueOutcome =>
  status === 'invalid'
    ? { status: 'refused', note: 'Refused before paying: fix the errors shown on its nodes, then run it again.' }
    : { status: OUTCOME[status] };

/**
 * Runs a queued item when its turn comes: planned again from its snapshot and estimated again,
 * since the cache and the ledger moved on while it waited (a run before it may have made its
 * results, or failed where it would have joined). It runs only within what the user accepted:
 * Pay-again choices that still apply are applied, new earlier attempts are held (not run), and
 * a run that would now cost more is not started: it waits for the user's OK.
 */
export async function runQueuedItem(item: QueueItem, c: { deps: StudioDeps; start: (spec: RunSpec) => Promise<RunStatus | undefined> }): Promise<QueueOutcome> {
  const { deps } = c;
  let draft: Omit<RunDraft, 'seeds'>;
  try {
    draft = await estimateRun(item.workflow, item.targets, deps);
  } catch (err) {
    return { status: 'failed', note: `Not started: its cost could not be worked out again (${err instanceof Error ? err.message : String(err)}).` };
  }
  const { estimate } = draft;
  const blocked = blockedIds(estimate);
  const chosen = new Set(item.accepted.repay.filter((id) => blocked.has(id)));
  if (estimate) {
    const now = acceptedEstimate(estimate, chosen);
    if (costsMore(now, item.accepted)) {
      return { status: 'needs-ok', estimate, note: 'It would cost more now than when you accepted it (work it expected to reuse is gone): review it.' };
    }
  }
  for (const id of chosen) deps.ledger?.allowRepay(id);
  const held = new Map((estimate?.blocked ?? []).filter((b) => b.job && !chosen.has(b.job.jobId)).map((b) => [b.nodeId, b.job!.jobId] as const));
  const { plan } = withoutNodes(draft.plan, held.keys());
  const status = await c.start({
    plan,
    workflow: item.workflow,
    targets: item.targets,
    runId: newRunId(),
    documentId: item.documentId,
    held,
    ...(estimate ? { estimate: acceptedEstimate(estimate, chosen) } : {}),
  });
  return status ? outcomeOf(status) : { status: 'failed', note: 'Not started: its tab already had a run going.' };
}

/** The estimate of a run with nothing to pay (an invalid plan runs nothing). */
const EMPTY_ESTIMATE: CostEstimate = { items: [], priceUsd: undefined, totalUsd: 0, paidJobs: 0, blocked: [] };

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

interface QueueActionContext {
  set: SetState;
  get: GetState;
  deps: StudioDeps;
  start: (spec: RunSpec) => Promise<RunStatus | undefined>;
  continueRecord: (record: RunRecord) => Promise<RunStatus | undefined>;
}

/** The run slice's actions when the store has a run queue (`deps.queue`). */
export function createQueueActions(c: QueueActionContext) {
  const { set, get, deps } = c;
  const queue = () => deps.queue!;

  /** Accepting: the runs go to the queue, and the graph's seeds move on as after each queued run. */
  const accept = (pending: PendingRun & { queue: QueuedRequest }, repay: readonly string[]) => {
    const runs = acceptDrafts(pending.queue, repay, { targets: pending.targets, documentId: get().documentId });
    set({ pendingRun: null });
    if (pending.queue.replaces) queue().reaccept(pending.queue.replaces, runs[0]!.accepted);
    else queue().add(runs);
    if (pending.queue.seedsAfter) {
      const next = withSeeds(get().workflow, pending.queue.seedsAfter, deps.registry);
      if (next !== get().workflow) get().replaceWorkflow(next);
    }
  };

  return {
    accept,

    /** Run or Queue ×N: snapshots of the graph now, each estimated; the cost dialog when anything is paid, else queued at once. */
    async request(targets: readonly string[] | undefined, options: RunRequestOptions): Promise<void> {
      if (get().pendingRun || get().estimating) return;
      const { workflow, documentId } = get();
      const count = Math.max(1, Math.min(MAX_QUEUE_COUNT, Math.floor(options.count ?? 1)));
      const seeds = seedVariations(workflow, deps.registry, count, options.seedMode ?? 'fixed', deps.random);
      set({ estimating: true });
      const drafts: RunDraft[] = [];
      try {
        for (const [i, snapshot] of seeds.snapshots.entries()) drafts.push({ ...(await estimateRun(snapshot, targets, deps)), seeds: seeds.seeds[i]! });
      } catch (err) {
        // Without knowing what is stored or in flight, nothing is queued: paying twice is worse than waiting.
        get().notify(`The cost of this run could not be worked out, so nothing was queued: ${message(err)}`, 'error');
        return;
      } finally {
        set({ estimating: false });
      }
      // Another document was opened while the cost was worked out: these runs are not its runs.
      if (get().documentId !== documentId) return;
      const { plan, estimate } = drafts[0]!;
      const behind = queue().busy();
      if (!plan.ok && behind) {
        get().notify(`Not queued: fix the errors first (${plan.issues.find((i) => i.severity === 'error')?.message ?? 'the graph cannot run'}).`, 'error');
        return;
      }
      const request: QueuedRequest = { drafts, behind, ...(seeds.after !== workflow ? { seedsAfter: seedsOf(seeds.after, deps.registry) } : {}) };
      const pending = { estimate: estimate ?? EMPTY_ESTIMATE, plan, workflow, targets, repay: options.repay ?? [], queue: request };
      if (needsConfirm(drafts)) set({ pendingRun: pending });
      else accept(pending, []);
    },

    /** The queue's turn for one of this tab's runs. */
    async run(item: QueueItem): Promise<QueueOutcome> {
      if (!item.continued) return runQueuedItem(item, c);
      const status = await c.continueRecord(item.continued);
      return status ? outcomeOf(status) : { status: 'failed', note: 'The run started before the reload could not be continued.' };
    },

    /** The cost dialog again for a queued run whose cost went up; accepting puts it back in its place. */
    review(item: QueueItem): void {
      if (item.status !== 'needs-ok' || !item.recheck || get().pendingRun) return;
      const plan = deps.engine.planRun(item.workflow, deps.registry, item.targets ? { targets: item.targets } : {});
      const draft: RunDraft = { workflow: item.workflow, plan, estimate: item.recheck, seeds: item.seeds ?? [] };
      set({
        pendingRun: {
          estimate: item.recheck,
          plan,
          workflow: item.workflow,
          targets: item.targets,
          repay: item.accepted.repay,
          queue: { drafts: [draft], behind: queue().busy(), replaces: item.id },
        },
      });
    },
  };
}
