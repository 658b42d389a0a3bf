import { promptImageCount, resolutionSize, type Resolution } from '../model/seedream';

/**
 * When to poll a job. Seedream jobs take tens of seconds, so polling at a fixed short interval
 * wastes requests early and a fixed long one detects completion late. The adaptive policy polls
 * sparsely (doubling gaps) until 75 % of the expected run time, densely from there to 150 % (gap
 * = 0.25 s·√(expected s): the square-root law that balances requests against delay when the
 * finish time is uncertain in proportion to the run time), then backs off geometrically for
 * overdue jobs. Expected times come from the request (images × per-image time, resolution) and
 * learn from finished jobs (RunTimeEstimator). Measured in test/bench/polling-bench.ts.
 */

export interface PollContext {
  /** What the last poll saw: nothing yet (`submitted`), queued, or running. */
  phase: 'submitted' | 'queued' | 'running';
  /** Time since the anchor: the submit, or the last poll that still saw the job queued. */
  sinceAnchorMs: number;
  /** Consecutive polls that saw the job queued. */
  queuedPolls: number;
  /** Expected time from the anchor to completion. */
  expectedRunMs: number;
}

export interface PollPolicy {
  readonly name: string;
  /** How long to wait before the next poll. */
  nextDelayMs(ctx: PollContext): number;
}

/** A constant interval, as RunComfy's own clients use (2 s CLI, 3 s MCP, 5 s plugin). */
export function fixedPollPolicy(intervalMs: number): PollPolicy {
  return { name: `fixed ${intervalMs} ms`, nextDelayMs: () => intervalMs };
}

export interface AdaptivePollOptions {
  /** No poll earlier than this after the anchor (except when the dense phase starts earlier). */
  firstPollMs: number;
  /** The dense phase spans [denseFrom, denseUntil] × the expected run time. */
  denseFrom: number;
  denseUntil: number;
  /** Dense gap = denseGapFactor × √(expected seconds), in seconds, clamped to [minGapMs, maxGapMs]. */
  denseGapFactor: number;
  minGapMs: number;
  maxGapMs: number;
  /** Longest gap in the sparse phase (bounds how late an early failure is seen). */
  maxSparseGapMs: number;
  /** Overdue: each gap this much longer than the previous, up to maxOverdueGapMs. */
  overdueGrowth: number;
  maxOverdueGapMs: number;
  /** While queued: first gap, growth per queued poll, and the cap. */
  queuedGapMs: number;
  queuedGrowth: number;
  maxQueuedGapMs: number;
}

export const DEFAULT_ADAPTIVE_POLL: AdaptivePollOptions = {
  firstPollMs: 1_500,
  denseFrom: 0.75,
  denseUntil: 1.5,
  denseGapFactor: 0.25,
  minGapMs: 500,
  maxGapMs: 15_000,
  maxSparseGapMs: 30_000,
  overdueGrowth: 1.25,
  maxOverdueGapMs: 15_000,
  queuedGapMs: 2_000,
  queuedGrowth: 1.5,
  maxQueuedGapMs: 10_000,
};

/** The dense-phase gap for an expected run time. */
export function denseGapMs(expectedRunMs: number, o: AdaptivePollOptions = DEFAULT_ADAPTIVE_POLL): number {
  const gap = o.denseGapFactor * Math.sqrt(expectedRunMs / 1000) * 1000;
  return Math.min(o.maxGapMs, Math.max(o.minGapMs, gap));
}

/**
 * The first poll time (ms after the anchor) later than `afterMs`, on the adaptive schedule for a
 * job expected to take `expectedRunMs`.
 */
export function nextScheduledPollMs(afterMs: number, expectedRunMs: number, o: AdaptivePollOptions = DEFAULT_ADAPTIVE_POLL): number {
  // Whole milliseconds, so a poll time fed back in as `afterMs` lands exactly on its point.
  const denseStart = Math.round(o.denseFrom * expectedRunMs);
  const denseEnd = Math.round(o.denseUntil * expectedRunMs);
  const gap = Math.round(denseGapMs(expectedRunMs, o));
  if (afterMs < denseStart) {
    // Sparse points, built backwards from the dense start: halving, at most maxSparseGapMs apart.
    let next = denseStart;
    for (let t = denseStart; t >= o.firstPollMs; t = Math.round(Math.max(t / 2, t - o.maxSparseGapMs))) {
      if (t > afterMs) next = t;
      else break;
    }
    return next;
  }
  const lastDense = denseStart + Math.floor((denseEnd - denseStart) / gap) * gap;
  if (afterMs < lastDense) return denseStart + (Math.floor((afterMs - denseStart) / gap) + 1) * gap;
  let t = lastDense;
  for (let g = gap * o.overdueGrowth; t <= afterMs; g = Math.min(g * o.overdueGrowth, Math.max(o.maxOverdueGapMs, gap))) t += Math.round(g);
  return t;
}

/** The adaptive policy described at the top of this file. */
export function adaptivePollPolicy(options: Partial<AdaptivePollOptions> = {}): PollPolicy {
  const o = { ...DEFAULT_ADAPTIVE_POLL, ...options };
  return {
    name: 'adaptive',
    nextDelayMs(ctx) {
      if (ctx.phase === 'queued') {
        return Math.min(o.maxQueuedGapMs, o.queuedGapMs * o.queuedGrowth ** Math.max(0, ctx.queuedPolls - 1));
      }
      const at = nextScheduledPollMs(ctx.sinceAnchorMs, ctx.expectedRunMs, o);
      return Math.max(o.minGapMs / 2, at - ctx.sinceAnchorMs);
    },
  };
}

/** What the run time of a Seedream job depends on. */
export interface RunTimeFactors {
  maxImages: number;
  resolution: Resolution;
  prompt?: string;
}

/**
 * Starting guesses, before any job has been measured: ~1 s overhead plus ~8 s per image at 2K
 * class, 2.5× that at 4K class. The model makes the number of images the prompt asks for, capped
 * by maxImages. Not published by RunComfy; RunTimeEstimator corrects them from real jobs.
 */
export const RUN_TIME_GUESS = { overheadMs: 1_000, perImageMs: 8_000, fourKFactor: 2.5, fourKPixels: 3000 * 3000 } as const;

export function estimateRunMs(f: RunTimeFactors): number {
  const images = Math.max(1, Math.min(f.maxImages, (f.prompt !== undefined ? promptImageCount(f.prompt) : undefined) ?? f.maxImages));
  const { width, height } = resolutionSize(f.resolution);
  const factor = width * height >= RUN_TIME_GUESS.fourKPixels ? RUN_TIME_GUESS.fourKFactor : 1;
  return RUN_TIME_GUESS.overheadMs + images * RUN_TIME_GUESS.perImageMs * factor;
}

/**
 * Learns how far real run times are from the guesses: an exponentially weighted mean of
 * observed/guessed, clamped to [1/4, 4] per job so one odd job cannot throw it far.
 */
export class RunTimeEstimator {
  private ratio = 1;
  constructor(private readonly weight = 0.5) {}

  estimateMs(f: RunTimeFactors): number {
    return estimateRunMs(f) * this.ratio;
  }

  /** Records a finished job's run time (queue excluded). */
  observe(f: RunTimeFactors, runMs: number): void {
    if (!(runMs > 0)) return;
    const r = Math.min(4, Math.max(0.25, runMs / estimateRunMs(f)));
    this.ratio = this.ratio * (1 - this.weight) + r * this.weight;
  }
}
