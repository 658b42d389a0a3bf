import { ACTIVE_STATES, billingOf, missingOutputs, REPAY_STATES, type JobRecord } from '../../ledger';
import type { NodeRunState } from '../../store/run-reducer';

/** Seconds as `4.2s`, `1m 05s`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

/** Whether a node failed because the run was stopped (not because of its inputs or the API). */
export const wasStopped = (n: NodeRunState): boolean => n.status === 'error' && n.error?.code === 'aborted';

/** Whether the paid job on a node was told to stop (Stop pressed, or a cancel asked for). */
const stopAsked = (n: NodeRunState, r: JobRecord) => n.stopped === true || r.cancel !== undefined || wasStopped(n);

/**
 * What the node's paid job says about the node, when it says more than the run does: how a stop
 * went (only a cancelled record is "not billed"; a refused cancel "will be billed"), a partial
 * result, an earlier attempt that needs a choice. Undefined when the run's own label is enough.
 */
function jobLabel(n: NodeRunState): string | undefined {
  const r = n.job?.record;
  if (!r) return undefined;
  const billing = billingOf(r);
  if (r.state === 'cancelled') return billing === 'not-billed' ? 'cancelled — not billed' : 'cancelled';
  if (r.state === 'failed') return r.notCreated ? 'refused — not billed' : n.status === 'error' ? undefined : 'failed';
  if (r.state === 'unknown-submission') return 'unknown submission — may be billed';
  if (r.state === 'lost') return 'lost — may be billed';
  if (r.state === 'outputs-expired') return 'images expired — billed';
  if (r.state === 'stored') {
    if (r.partial) return `partial — ${r.outputs.length - missingOutputs(r).length} of ${r.outputs.length} images`;
    return n.collected || (stopAsked(n, r) && n.status !== 'cached') ? 'collected after stop — billed' : undefined;
  }
  if (!ACTIVE_STATES.has(r.state) || !stopAsked(n, r)) return n.status === 'error' && !wasStopped(n) ? undefined : activeLabel(n, r);
  const outcome = r.cancel?.outcome;
  if (outcome === 'not_cancellable' || billing === 'billed') return r.state === 'completed' ? 'collecting — billed' : 'still running — will be billed';
  if (outcome === 'unknown' || outcome === 'failed') return 'cancel unconfirmed — may be billed';
  return 'cancelling…';
}

/** A job followed outside a run (re-attached after a reload, or joined): its own progress. */
function activeLabel(n: NodeRunState, r: JobRecord): string | undefined {
  // A node the run started shows the run's own progress (the ledger's progress events feed it).
  if (!ACTIVE_STATES.has(r.state) || n.startedAt !== undefined) return undefined;
  switch (r.state) {
    case 'queued':
      return r.queuePosition !== undefined ? `re-attached — queued #${r.queuePosition}` : 're-attached — queued';
    case 'completed':
      return 're-attached — downloading';
    default:
      return 're-attached — running';
  }
}

/**
 * A short label for a node's state, as on its badge: `queued #3`, `running`, `cached`,
 * `done 4.2s`, `cancelling…`, `still running — will be billed`. Elapsed time of running nodes is
 * added by the caller.
 */
export function statusLabel(n: NodeRunState): string {
  const fromJob = jobLabel(n);
  if (fromJob) return fromJob;
  if (n.held) return 'not run — pay again?';
  switch (n.status) {
    case 'waiting':
      return 'waiting';
    case 'queued':
      return n.queuePosition !== undefined ? `queued #${n.queuePosition}` : 'queued';
    case 'running':
      return n.phase && n.phase !== 'running' ? n.phase : 'running';
    case 'cached':
      return 'cached';
    case 'done':
      return n.durationMs !== undefined ? `done ${formatDuration(n.durationMs)}` : 'done';
    case 'error':
      return wasStopped(n) ? 'stopped' : 'error';
    case 'skipped':
      if (n.skipReason === 'bypassed' || (n.skipReason === 'muted' && !n.because)) return n.skipReason;
      return n.skipReason === 'aborted' ? 'not run' : 'skipped';
  }
}

/** The colour family of a state: billed-after-stop, stopped and needs-a-choice read differently from plain errors. */
export function statusTone(n: NodeRunState): string {
  const r = n.job?.record;
  if (r) {
    if (r.state === 'cancelled') return 'stopped';
    if (REPAY_STATES.has(r.state) || (r.state === 'stored' && r.partial)) return 'warning';
    if (stopAsked(n, r) && ['billed', 'may-be-billed'].includes(billingOf(r))) return 'billed';
  }
  if (n.held) return 'warning';
  return wasStopped(n) ? 'stopped' : n.status;
}

/** Until the ledger says more: what a stop means for this job so far. */
function stopFallback(n: NodeRunState, r: JobRecord): string | undefined {
  if (!stopAsked(n, r)) return undefined;
  if (billingOf(r) === 'billed') return 'It could not be cancelled: it will be billed, and its images are still collected.';
  return 'Asking RunComfy to cancel it; whether it is billed is known once RunComfy answers.';
}

/** A sentence explaining the state, for the node body and the run panel. */
export function statusDetail(n: NodeRunState, titleOf: (id: string) => string = (id) => id): string | undefined {
  const job = n.job;
  const r = job?.record;
  if (r && ACTIVE_STATES.has(r.state) && (stopAsked(n, r) || activeLabel(n, r))) return job.message ?? r.note ?? stopFallback(n, r);
  if (r && r.state === 'stored' && (n.collected || stopAsked(n, r)) && !r.partial && n.status !== 'cached') {
    return `The run was stopped while ${r.requestId ? `request ${r.requestId}` : 'this job'} ran at RunComfy: it was billed, and its images were collected.`;
  }
  if (r && r.state === 'cancelled') return job.message ?? r.error?.message;
  if (n.held) return 'Not run: an earlier attempt of this work may have been billed. Press "Pay again" to run it anyway.';
  switch (n.status) {
    case 'queued':
      return n.queuePosition !== undefined ? `Waiting in RunComfy's queue, position ${n.queuePosition}.` : n.message;
    case 'running':
      return n.message;
    case 'error':
      if (wasStopped(n)) return n.error?.message;
      return n.error ? (n.error.field ? `${n.error.field}: ${n.error.message}` : n.error.message) : undefined;
    case 'skipped':
      if (n.skipReason === 'upstream-failed') return `Skipped: ${n.because ? titleOf(n.because) : 'an upstream node'} failed.`;
      if (n.skipReason === 'aborted') return 'Not run: the run was stopped.';
      if (n.skipReason === 'bypassed') return 'Bypassed: not run; its input was passed on in its place, at no cost.';
      if (n.skipReason === 'muted') return n.because ? `Not run: it needs ${titleOf(n.because)}, which is muted.` : 'Muted: it never runs.';
      return 'Not run: the workflow has errors.';
    default:
      return undefined;
  }
}
