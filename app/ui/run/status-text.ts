import type { NodeRunState } from '../../store/run-reducer';

/** Seconds as `4.2s`, `1m 05s`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

/** Whether a node failed because the run was stopped (not because of its inputs or the API). */
export const wasStopped = (n: NodeRunState): boolean => n.status === 'error' && n.error?.code === 'aborted';

/**
 * A short label for a node's run state, as on its badge: `queued #3`, `running`, `cached`,
 * `done 4.2s`, `error`, `skipped`. Elapsed time of running nodes is added by the caller.
 */
export function statusLabel(n: NodeRunState): string {
  if (n.collected) return 'collected after stop';
  if (n.reattached) return reattachedLabel(n);
  if (n.billedAfterStop && (n.status === 'running' || wasStopped(n))) return 'still running — will be billed';
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
      if (wasStopped(n)) return n.phase === 'queued' ? 'cancelled' : 'stopped';
      return 'error';
    case 'skipped':
      return n.skipReason === 'upstream-failed' ? 'skipped' : n.skipReason === 'aborted' ? 'not run' : 'skipped';
  }
}

/** A sentence explaining the state, for the node body and the run panel. */
export function statusDetail(n: NodeRunState, titleOf: (id: string) => string = (id) => id): string | undefined {
  if (n.collected) return 'The run was stopped while this job ran at RunComfy; it was billed, and its images were collected.';
  if (n.reattached && n.status === 'done') return n.message;
  if (n.billedAfterStop && n.collecting)
    return 'Stopped while running at RunComfy: it cannot be cancelled and will be billed. Its images are still being collected.';
  if (n.billedAfterStop && (n.status === 'running' || wasStopped(n))) {
    if (n.phase === 'downloading') return 'Stopped while downloading its images: the job had finished at RunComfy and is billed.';
    return 'Stopped while running at RunComfy: a running job cannot be cancelled, so it finishes and is billed.';
  }
  switch (n.status) {
    case 'queued':
      return n.queuePosition !== undefined ? `Waiting in RunComfy's queue, position ${n.queuePosition}.` : n.message;
    case 'running':
      return n.message;
    case 'error':
      if (wasStopped(n)) return n.phase === 'queued' ? 'Cancelled at RunComfy before it started: not billed.' : n.error?.message;
      return n.error ? (n.error.field ? `${n.error.field}: ${n.error.message}` : n.error.message) : undefined;
    case 'skipped':
      if (n.skipReason === 'upstream-failed') return `Skipped: ${n.because ? titleOf(n.because) : 'an upstream node'} failed.`;
      if (n.skipReason === 'aborted') return 'Not run: the run was stopped.';
      return 'Not run: the workflow has errors.';
    default:
      return undefined;
  }
}

/** Labels of a job re-attached after a reload: it was submitted before and is only polled now. */
function reattachedLabel(n: NodeRunState): string {
  switch (n.status) {
    case 'queued':
      return n.queuePosition !== undefined ? `re-attached — queued #${n.queuePosition}` : 're-attached — queued';
    case 'running':
      return n.phase === 'downloading' ? 're-attached — downloading' : 're-attached — running';
    case 'done':
      return 're-attached — done';
    default:
      return 're-attach failed';
  }
}
