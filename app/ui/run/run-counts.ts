import type { RunState } from '../../store/run-reducer';
import { wasStopped } from './status-text';

/** How the nodes of a finished run ended, as the Run panel counts them. */
export interface RunTally {
  done: number;
  cached: number;
  /** Failed on their own (inputs, the API): not stopped, not cancelled. */
  failed: number;
  /** Their paid job was cancelled at RunComfy. */
  cancelled: number;
  /** Stopped by the user while working (their job, if any, was not cancelled). */
  stopped: number;
  skipped: number;
}

const tallies = new WeakMap<RunState, RunTally>();

/**
 * The run's outcome per node, from the node states (the engine counts a stopped node as failed:
 * to the user, a job they cancelled did not fail). Built once per run state.
 */
export function runTally(run: RunState): RunTally {
  let tally = tallies.get(run);
  if (tally) return tally;
  tally = { done: 0, cached: 0, failed: 0, cancelled: 0, stopped: 0, skipped: 0 };
  for (const id of run.nodeIds) {
    const n = run.nodes[id];
    if (!n) continue;
    if (n.job?.record.state === 'cancelled') tally.cancelled++;
    else if (n.status === 'done') tally.done++;
    else if (n.status === 'cached') tally.cached++;
    else if (n.status === 'skipped') tally.skipped++;
    else if (n.status === 'error') {
      if (wasStopped(n) || n.stopped) tally.stopped++;
      else tally.failed++;
    }
  }
  tallies.set(run, tally);
  return tally;
}

/** "2 done · 1 cached · 0 failed · 1 cancelled · 3 skipped" (cancelled and stopped only when there are any). */
export function tallyText(t: RunTally): string {
  const parts = [`${t.done} done`, `${t.cached} cached`, `${t.failed} failed`];
  if (t.cancelled) parts.push(`${t.cancelled} cancelled`);
  if (t.stopped) parts.push(`${t.stopped} stopped`);
  parts.push(`${t.skipped} skipped`);
  return parts.join(' · ');
}
