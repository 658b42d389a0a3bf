import type { NodeOutputs } from '../engine/events';
import type { JobMeta } from '../graph/generation';
import type { ImageRef } from '../graph/ports';
import { resultOf, type JobRecord, type LedgerUpdate } from '../ledger';
import { jobMatters, statusOfRecord, type JobView, type NodeRunState, type RunState, type RunView } from './run-reducer';

/** What the job reducer needs from outside the run view. */
export interface JobContext {
  /** Per node: its cache key in the workflow on screen (the planner's analysis). */
  cacheKeys: ReadonlyMap<string, string>;
  /** The outputs a stored job gives this node (its image-list port), or undefined when it has none. */
  outputsOf(nodeId: string, images: ImageRef[]): NodeOutputs | undefined;
}

const byKeyIndex = new WeakMap<ReadonlyMap<string, string>, Map<string, string[]>>();

/** Node ids by cache key, built once per analysis map. */
function nodesWithKey(keys: ReadonlyMap<string, string>, key: string): readonly string[] {
  let index = byKeyIndex.get(keys);
  if (!index) {
    index = new Map();
    for (const [nodeId, k] of keys) index.set(k, [...(index.get(k) ?? []), nodeId]);
    byKeyIndex.set(keys, index);
  }
  return index.get(key) ?? [];
}

const shown = (r: JobRecord) => !r.supersededBy && !r.dismissed;

/** The newest job shown for this work (cache key), if any. */
export function newestJobOf(key: string | undefined, jobs: Readonly<Record<string, JobView>>): JobView | undefined {
  if (key === undefined) return undefined;
  let best: JobView | undefined;
  for (const j of Object.values(jobs)) {
    if (j.record.cacheKey === key && shown(j.record) && (!best || j.record.createdAt > best.record.createdAt)) best = j;
  }
  return best;
}

/** Whether the node's job belongs to the run now driving it (started or joined by it): then nothing replaces it. */
const pinned = (run: RunState, nodeId: string, n: NodeRunState | undefined) =>
  !!n?.job && run.nodeIds.includes(nodeId) && (n.job.record.runId === run.runId || n.startedAt !== undefined);

/** Whether the current run drives this node's status (it is waiting, queued or running in an active run). */
const driven = (run: RunState, nodeId: string, n: NodeRunState | undefined) =>
  run.phase !== 'idle' &&
  !['succeeded', 'failed', 'aborted', 'invalid'].includes(run.phase) &&
  run.nodeIds.includes(nodeId) &&
  !!n &&
  ['waiting', 'queued', 'running'].includes(n.status);

/** The result meta of a stored job shown on a node outside a run. */
export function jobMetaOf(r: JobRecord): JobMeta {
  const result = resultOf(r, true);
  return {
    jobId: r.jobId,
    requestId: r.requestId ?? '',
    outputUrls: result.outputUrls,
    request: { model: r.model, prompt: r.sent.prompt, references: r.referenceHashes.length, params: r.sent.params },
    ...(r.costUsd !== undefined ? { costUsd: r.costUsd } : {}),
    missing: result.missing,
    reused: true,
  };
}

/**
 * Puts `job` on node `nodeId` (or takes it off when undefined). A node the run does not drive
 * takes its status from the job when the job's state moved; a stored job's images become its
 * result. Returns the same view when nothing changed, so unchanged nodes keep their objects.
 */
function setNodeJob(view: RunView, nodeId: string, job: JobView | undefined, prevState: string | undefined, ctx: JobContext): RunView {
  const { run } = view;
  const old = run.nodes[nodeId];
  if (!old && (!job || !jobMatters(job.record))) return view;
  if (old?.job === job) return view;
  let next: NodeRunState | undefined;
  if (!job) {
    const { job: _dropped, ...rest } = old!;
    next = rest.status && (run.nodeIds.includes(nodeId) || rest.held) ? rest : undefined;
  } else if (!old) {
    next = { status: statusOfRecord(job.record), job };
  } else if (!driven(run, nodeId, old) && prevState !== job.record.state) {
    const status = statusOfRecord(job.record);
    const collected = status === 'done' && (old.stopped || old.status === 'error');
    next = { ...old, status, job, ...(collected ? { collected: true } : {}) };
  } else {
    next = { ...old, job };
  }
  const nodes = { ...run.nodes };
  if (next) nodes[nodeId] = next;
  else delete nodes[nodeId];
  let results = view.results;
  const r = job?.record;
  if (r && r.state === 'stored' && !driven(run, nodeId, old)) {
    const images = resultOf(r, true).images;
    const current = results[nodeId];
    const same = current && current.cacheKey === r.cacheKey && (current.meta.job as { jobId?: string; missing?: unknown[] } | undefined)?.jobId === r.jobId;
    const outputs = images.length > 0 ? ctx.outputsOf(nodeId, images) : undefined;
    const missingNow = r.outputs.length - images.length;
    const missingShown = same ? ((current.meta.job as { missing?: unknown[] }).missing?.length ?? 0) : -1;
    if (outputs && (!same || missingShown !== missingNow)) {
      results = { ...results, [nodeId]: { outputs, meta: { job: jobMetaOf(r) }, cacheKey: r.cacheKey, cached: false } };
    }
  }
  return { ...view, run: { ...run, nodes }, results };
}

/**
 * Folds one ledger update into the view: the job's latest record (and last sentence) by job id,
 * and on every node that shows it — the node whose current run started it, the nodes whose
 * current cache key is its work, and any node already showing it. Only those nodes get new
 * objects, so a poll update re-renders one node.
 */
export function reduceLedgerUpdate(view: RunView, u: LedgerUpdate, ctx: JobContext): RunView {
  const r = u.record;
  const prev = view.jobs[r.jobId];
  const message = u.message ?? (prev && prev.record.state === r.state ? prev.message : undefined);
  const job: JobView = { record: r, ...(message ? { message } : {}) };
  let next: RunView = { ...view, jobs: { ...view.jobs, [r.jobId]: job } };
  const { run } = next;
  const candidates = new Set<string>(nodesWithKey(ctx.cacheKeys, r.cacheKey));
  if (r.runId !== undefined && r.runId === run.runId && run.nodeIds.includes(r.nodeId)) candidates.add(r.nodeId);
  for (const [nodeId, n] of Object.entries(run.nodes)) {
    if (n.job?.record.jobId === r.jobId || n.cacheKey === r.cacheKey) candidates.add(nodeId);
  }
  for (const nodeId of candidates) {
    const n = next.run.nodes[nodeId];
    const showing = n?.job?.record.jobId === r.jobId;
    let chosen: JobView | undefined;
    if (showing) chosen = shown(r) ? job : newestJobOf(ctx.cacheKeys.get(nodeId), next.jobs);
    else if (r.runId !== undefined && r.runId === run.runId && r.nodeId === nodeId && run.nodeIds.includes(nodeId)) chosen = job;
    else if (!shown(r) || pinned(run, nodeId, n)) continue;
    else if (!n?.job || r.createdAt >= n.job.record.createdAt) chosen = job;
    else continue;
    next = setNodeJob(next, nodeId, chosen, showing ? prev?.record.state : n?.job?.record.state, ctx);
  }
  return next;
}

/** Records learned outside updates (after a reload: earlier attempts that block, jobs another tab follows): known, and shown on their nodes. */
export function seedJobs(view: RunView, records: readonly JobRecord[], ctx: JobContext): RunView {
  let next = view;
  for (const record of records) if (!next.jobs[record.jobId]) next = reduceLedgerUpdate(next, { record }, ctx);
  return next;
}

/**
 * After an edit changed cache keys: nodes not driven by a run show the newest job of their new
 * key (or none). Nodes whose key did not change keep their objects.
 */
export function rekeyJobs(view: RunView, prevKeys: ReadonlyMap<string, string>, ctx: JobContext): RunView {
  let next = view;
  for (const [nodeId, key] of ctx.cacheKeys) {
    if (prevKeys.get(nodeId) === key) continue;
    const n = next.run.nodes[nodeId];
    if (pinned(next.run, nodeId, n)) continue;
    const job = newestJobOf(key, next.jobs);
    next = setNodeJob(next, nodeId, job, job ? undefined : n?.job?.record.state, ctx);
  }
  for (const nodeId of Object.keys(next.run.nodes)) {
    if (!ctx.cacheKeys.has(nodeId) && !next.run.nodeIds.includes(nodeId)) next = setNodeJob(next, nodeId, undefined, undefined, ctx);
  }
  return next;
}
