import type { CachedResult } from '../engine/cache';
import type { JournalEntry, ResumeReport } from '../engine/seedream-journal';
import type { ProgressDetail } from '../graph/node-definition';
import type { Workflow } from '../graph/workflow-schema';
import type { NodeRunState } from './run-reducer';

/**
 * A paid job found in flight in the request journal after a reload, and re-attached: polled,
 * never submitted again. Shown on the node whose current cache key is the job's.
 */
export interface ResumedJob {
  requestId: string;
  /** The node it shows on: the one whose current cache key matches, else the node that submitted it, if still there. */
  nodeId: string | undefined;
  /** The node that submitted it (it may have been deleted or edited since). */
  sourceNodeId: string;
  cacheKey: string;
  submittedAt: number;
  prompt: string;
  status: 'queued' | 'running' | 'done' | 'error';
  /** Once done: what the journal cached. */
  result?: CachedResult;
  phase?: ProgressDetail['phase'];
  queuePosition?: number;
  message?: string;
}

/** A paid request the API no longer knows: its images are lost. Shown until dismissed, never resubmitted. */
export interface LostJob {
  requestId: string;
  nodeId: string | undefined;
  cacheKey: string;
  submittedAt: number;
  prompt: string;
  /** One sentence for the node. */
  message: string;
  /** What the journal and the API said, for a tooltip. */
  detail?: string;
}

/** Which node a journal entry belongs to now: the node with its cache key, else the node that submitted it. */
export function nodeForEntry(entry: JournalEntry, cacheKeys: ReadonlyMap<string, string>, workflow: Workflow): string | undefined {
  for (const [nodeId, key] of cacheKeys) if (key === entry.cacheKey) return nodeId;
  return workflow.nodes.some((n) => n.id === entry.nodeId) ? entry.nodeId : undefined;
}

export function resumedJobOf(entry: JournalEntry, nodeId: string | undefined): ResumedJob {
  return {
    requestId: entry.requestId,
    nodeId,
    sourceNodeId: entry.nodeId,
    cacheKey: entry.cacheKey,
    submittedAt: entry.submittedAt,
    prompt: entry.request.prompt,
    status: 'queued',
    phase: 'queued',
    message: `Re-attaching to request ${entry.requestId} (submitted before the reload; not submitted again)`,
  };
}

export function lostJobOf(entry: JournalEntry, nodeId: string | undefined, message?: string): LostJob {
  return {
    requestId: entry.requestId,
    nodeId,
    cacheKey: entry.cacheKey,
    submittedAt: entry.submittedAt,
    prompt: entry.request.prompt,
    message: `Request ${entry.requestId} is no longer known to RunComfy (expired): its images are lost. Nothing was resubmitted; run the node again for a new, paid request.`,
    ...((message ?? entry.message) ? { detail: message ?? entry.message } : {}),
  };
}

/** Folds one progress report of a re-attached job into it. */
export function withProgress(job: ResumedJob, detail: ProgressDetail, message: string): ResumedJob {
  if (job.status === 'done') return job;
  const phase = detail.phase ?? job.phase;
  return {
    ...job,
    status: phase === 'queued' ? 'queued' : 'running',
    phase,
    ...(phase === 'queued' && detail.queuePosition !== undefined ? { queuePosition: detail.queuePosition } : { queuePosition: undefined }),
    message,
  };
}

/** The outcome of resuming, folded into the job (completed jobs may already be done). */
export function withReport(job: ResumedJob, report: ResumeReport): ResumedJob {
  if (report.outcome === 'completed') return job.status === 'done' ? job : { ...job, status: 'done', message: doneMessage(job) };
  return {
    ...job,
    status: 'error',
    message: `Could not re-attach to request ${job.requestId}: ${report.message ?? 'unknown error'}. It stays recorded and is tried again on the next reload; it was not resubmitted.`,
  };
}

export const doneMessage = (job: ResumedJob) => `Re-attached after a reload: request ${job.requestId} finished and its images were collected.`;

/** The run-state view of a re-attached job, as node badges and messages draw it. */
export function viewOf(job: ResumedJob): NodeRunState {
  const base = { reattached: true, requestId: job.requestId, ...(job.message ? { message: job.message } : {}) };
  switch (job.status) {
    case 'queued':
      return { ...base, status: 'queued', phase: 'queued', ...(job.queuePosition !== undefined ? { queuePosition: job.queuePosition } : {}) };
    case 'running':
      return { ...base, status: 'running', ...(job.phase ? { phase: job.phase } : {}) };
    case 'done':
      return { ...base, status: 'done' };
    case 'error':
      return { ...base, status: 'error', error: { code: 'reattach-failed', message: job.message ?? 'Could not re-attach.' } };
  }
}

/** Views by node id for every job shown on a node (latest submit wins when two share a node). */
export function viewsByNode(jobs: Readonly<Record<string, ResumedJob>>, previous: Readonly<Record<string, NodeRunState>>): Record<string, NodeRunState> {
  const out: Record<string, NodeRunState> = {};
  const sorted = Object.values(jobs).sort((a, b) => a.submittedAt - b.submittedAt);
  for (const job of sorted) if (job.nodeId) out[job.nodeId] = viewOf(job);
  // Keep the identity of unchanged views, so only the node whose job moved re-renders.
  for (const [id, view] of Object.entries(out)) {
    const old = previous[id];
    if (old && JSON.stringify(old) === JSON.stringify(view)) out[id] = old;
  }
  return out;
}
