import type { RunTimeEstimate, RunTimeFactors, RunTimeModel } from './run-time-model';

export type { RunTimeFactors } from './run-time-model';

/**
 * When to poll a job. The bounded policy never leaves more than `boundMs` (3 s) between polls
 * while the job may be finishing, whatever the run-time estimate says, so completion is seen
 * within 3 s. The estimate only shapes the gaps inside that bound: polls are densest where the
 * job is most likely to finish (gap ∝ 1/√hazard, the gap that minimises requests + weight × mean
 * delay), and at the full 3 s elsewhere. The one place it waits longer is where a *learned*
 * floor (this class's own fastest runs, with a margin) says the job cannot have finished yet:
 * there gaps reach `sparseGapMs` (10 s), so a rare job faster than its floor is seen at most
 * 10 s late. Measured in test/bench/polling-bench.ts.
 */

/** What the caller knows about a job when it asks for the next delay (right after a poll). */
export interface PollContext {
  /** What the last poll saw: nothing yet (`submitted`), queued, or running. */
  phase: 'submitted' | 'queued' | 'running';
  /** ms since the submit was accepted (or since re-attaching to a job of unknown age). */
  sinceSubmitMs: number;
  /**
   * ms since the earliest moment the run may have started: the last poll that saw the job
   * queued, else the submit (re-attached: the first poll that saw it running). Undefined until it
   * is seen running. (Anchoring on the first running poll would under-state the run by a gap.)
   */
  sinceRunningMs?: number;
  queuePosition?: number;
  /** Polls made so far for this job. */
  polls: number;
  factors: RunTimeFactors;
  /** True when re-attaching to a job of unknown age (its run may be nearly over). */
  reattached?: boolean;
}

export interface PollPolicy {
  readonly name: string;
  /** How long to wait before the next poll. A server's Retry-After, when longer, wins (the caller's rule). */
  nextDelayMs(ctx: PollContext): number;
}

/** A constant interval, as RunComfy's own clients use (2 s CLI, 3 s MCP, 5 s plugin). */
export function fixedPollPolicy(intervalMs: number): PollPolicy {
  return { name: `fixed ${intervalMs / 1000} s`, nextDelayMs: () => intervalMs };
}

export interface BoundedPollOptions {
  /** Longest gap while the job may be finishing: the detection bound. */
  boundMs: number;
  /** Shortest gap. */
  minGapMs: number;
  /** Gap while queued or not yet seen (status endpoint); at most boundMs. */
  queuedGapMs: number;
  /** A run-time estimate is taken to be right within ×spread either way. */
  spread: number;
  /**
   * Requests that one second less mean detection delay is worth. Higher polls more densely
   * around the expected finish; it never lengthens a gap past boundMs.
   */
  delayWeight: number;
  /** Longest gap before a learned floor: how late a job finishing before its floor can be seen. */
  sparseGapMs: number;
}

export const DEFAULT_BOUNDED_POLL: BoundedPollOptions = {
  boundMs: 3_000,
  minGapMs: 1_000,
  queuedGapMs: 3_000,
  spread: 2,
  delayWeight: 12,
  sparseGapMs: 10_000,
};

/**
 * The gap after `elapsedMs` (t) of run for a finish believed log-uniform on [lo, hi]:
 * √(2·S/(w·p)) with S/p = t·ln(hi/t) (S: chance it is still running, p: density of finishing
 * now). So the belief never narrows to nothing once the estimate is passed, the finish is taken
 * to be at most ×spread away from t (hi becomes max(hi, t·spread)). Clamped to [minGapMs, boundMs].
 */
function denseGapMs(elapsedMs: number, lo: number, hi: number, o: BoundedPollOptions): number {
  // Also the answer when an estimate is not a usable number: the bound never depends on it.
  if (!(elapsedMs >= lo) || elapsedMs <= 0) return o.boundMs;
  const seconds = elapsedMs / 1000;
  const uncertainty = Math.log(Math.max(hi, elapsedMs * o.spread) / elapsedMs);
  const gap = 1000 * Math.sqrt((2 * seconds * uncertainty) / o.delayWeight);
  return Number.isFinite(gap) ? Math.min(o.boundMs, Math.max(o.minGapMs, gap)) : o.boundMs;
}

/**
 * The bounded policy described at the top of this file. `model` gives the estimate for the
 * job's factors; only an estimate marked learned with a floor may lengthen a gap past boundMs.
 */
export function boundedPollPolicy(model: Pick<RunTimeModel, 'estimate'>, options: Partial<BoundedPollOptions> = {}): PollPolicy {
  const given = { ...DEFAULT_BOUNDED_POLL, ...options };
  const o: BoundedPollOptions = {
    ...given,
    minGapMs: Math.min(given.minGapMs, given.boundMs),
    queuedGapMs: Math.min(given.queuedGapMs, given.boundMs),
    sparseGapMs: Math.max(given.sparseGapMs, given.boundMs),
  };
  return {
    name: 'bounded',
    nextDelayMs(ctx) {
      if (ctx.reattached && ctx.polls === 0) return 0;
      // Queued: every 3 s at most, so a start (and any quick finish) is seen within the bound
      // and the start, the anchor of everything below, is known to within 3 s.
      if (ctx.phase === 'queued') return o.queuedGapMs;
      const est: RunTimeEstimate = model.estimate(ctx.factors);
      // A re-attached job may have run for any time already: no floor can say it is not done.
      const floor = est.learned && !ctx.reattached ? (est.floorMs ?? 0) : 0;
      const lo = Math.max(est.expectedMs / o.spread, floor);
      const hi = Math.max(lo, est.expectedMs * o.spread);
      const gapAt = (t: number) => denseGapMs(t, lo, hi, o);
      const t = ctx.sinceRunningMs ?? ctx.sinceSubmitMs;
      if (ctx.phase === 'submitted') return Math.floor(Math.min(o.queuedGapMs, gapAt(t)));
      // Before the floor a finish is not expected: the next poll may wait until one gap past it.
      if (t < floor) return Math.floor(Math.min(o.sparseGapMs, floor + gapAt(floor) - t));
      return Math.floor(gapAt(t));
    },
  };
}
