import { describe, expect, it } from 'vitest';
import { boundedPollPolicy, DEFAULT_BOUNDED_POLL, fixedPollPolicy, type PollContext, type PollPolicy } from '../../app/api/poll-policy';
import { RunTimeModel, type RunTimeEstimate, type RunTimeFactors } from '../../app/api/run-time-model';
import type { LedgerPollPolicy, RunTimeLearner } from '../../app/ledger';
import { seededRandom } from '../bench/polling-sim';

const factors: RunTimeFactors = { maxImages: 4, resolution: '4K' };
const stub = (estimate: RunTimeEstimate) => ({ estimate: () => estimate });
const running = (sinceRunningMs: number, more: Partial<PollContext> = {}): PollContext => ({
  phase: 'running',
  sinceSubmitMs: sinceRunningMs,
  sinceRunningMs,
  polls: 3,
  factors,
  ...more,
});

/** Poll times (ms since the run's earliest start) of a job seen running from the start, until `untilMs`. */
function schedule(policy: PollPolicy, untilMs: number): number[] {
  const points: number[] = [];
  for (let t = 0, polls = 0; t < untilMs && polls < 10_000; polls++) points.push((t += policy.nextDelayMs(running(t, { polls }))));
  return points;
}

/** The worst detection delay of a job finishing at or after `fromMs`: the longest stretch of a gap past it. */
function worstDelayAfter(points: readonly number[], fromMs: number): number {
  let worst = 0;
  for (let i = 0, prev = 0; i < points.length; prev = points[i]!, i++) if (points[i]! > fromMs) worst = Math.max(worst, points[i]! - Math.max(prev, fromMs));
  return worst;
}

describe('boundedPollPolicy', () => {
  it('never waits more than 3 s when the estimate is a guess, whatever it says', () => {
    const r = seededRandom(42);
    for (let i = 0; i < 5_000; i++) {
      const expectedMs = 100 * 1e5 ** r(); // 0.1 s … 2.8 h
      const learned = r() < 0.3; // learned without a floor bounds the same way
      const policy = boundedPollPolicy(stub({ expectedMs, learned, ...(learned ? {} : { floorMs: expectedMs * r() }) }));
      const sinceSubmitMs = 10_800_000 * r() ** 3;
      const phase = (['submitted', 'queued', 'running'] as const)[Math.floor(r() * 3)]!;
      const ctx: PollContext = {
        phase,
        sinceSubmitMs,
        polls: Math.floor(r() * 50),
        factors,
        reattached: r() < 0.2,
        ...(phase === 'queued' ? {} : { sinceRunningMs: sinceSubmitMs * r() }),
      };
      const delay = policy.nextDelayMs(ctx);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(3_000);
    }
  });

  it('detects any finish within 3 s over a whole schedule when the estimate is a guess', () => {
    for (const expectedMs of [0, Number.NaN, 500, 4_000, 12_700, 25_000, 60_000, 301_000, 3_600_000]) {
      const points = schedule(boundedPollPolicy(stub({ expectedMs, learned: false })), 4 * (expectedMs || 0) + 10_000);
      expect(points.every((t) => Number.isFinite(t))).toBe(true);
      expect(worstDelayAfter(points, 0)).toBeLessThanOrEqual(3_000);
    }
  });

  it('polls most densely around the expected finish and at the 3 s bound well before it', () => {
    const policy = boundedPollPolicy(stub({ expectedMs: 30_000, learned: false }));
    expect(policy.nextDelayMs(running(5_000))).toBe(3_000);
    expect(policy.nextDelayMs(running(30_000))).toBeLessThan(2_500);
    expect(policy.nextDelayMs(running(30_000))).toBeGreaterThanOrEqual(DEFAULT_BOUNDED_POLL.minGapMs);
  });

  it('waits up to 10 s before a learned floor and detects within 3 s from the floor on', () => {
    const policy = boundedPollPolicy(stub({ expectedMs: 200_000, floorMs: 150_000, learned: true }));
    const points = schedule(policy, 400_000);
    const gaps = points.map((t, i) => t - (points[i - 1] ?? 0));
    expect(Math.max(...gaps)).toBe(10_000);
    expect(worstDelayAfter(points, 150_000)).toBeLessThanOrEqual(3_000);
    // A job faster than its floor (an outlier) is seen at most one sparse gap late.
    expect(worstDelayAfter(points, 0)).toBeLessThanOrEqual(10_000);
    expect(points.filter((t) => t < 150_000).length).toBeLessThan(17);
  });

  it('ignores a floor on an estimate that is not learned', () => {
    const policy = boundedPollPolicy(stub({ expectedMs: 200_000, floorMs: 150_000, learned: false }));
    expect(policy.nextDelayMs(running(10_000))).toBe(3_000);
  });

  it('polls at once when re-attaching, then within 3 s even before a learned floor', () => {
    const policy = boundedPollPolicy(stub({ expectedMs: 200_000, floorMs: 150_000, learned: true }));
    expect(policy.nextDelayMs(running(0, { sinceSubmitMs: 0, polls: 0, reattached: true }))).toBe(0);
    for (const [sinceRunningMs, sinceSubmitMs] of [
      [10_000, 10_000],
      [9_800, 10_000],
      [10_000, 40_000],
      [140_000, 150_000],
    ] as const) {
      expect(policy.nextDelayMs(running(sinceRunningMs, { sinceSubmitMs, polls: 4, reattached: true }))).toBeLessThanOrEqual(3_000);
    }
  });

  it('polls a queued or not yet seen job every 3 s, even with a learned floor', () => {
    const policy = boundedPollPolicy(stub({ expectedMs: 200_000, floorMs: 150_000, learned: true }));
    expect(policy.nextDelayMs({ phase: 'queued', sinceSubmitMs: 30_000, polls: 5, queuePosition: 4, factors })).toBe(3_000);
    expect(policy.nextDelayMs({ phase: 'submitted', sinceSubmitMs: 0, polls: 0, factors })).toBe(3_000);
  });

  it('keeps gaps within boundMs when other options ask for more', () => {
    const policy = boundedPollPolicy(stub({ expectedMs: 30_000, learned: false }), { boundMs: 2_000, queuedGapMs: 5_000, minGapMs: 4_000 });
    expect(policy.nextDelayMs({ phase: 'queued', sinceSubmitMs: 1, polls: 1, factors })).toBe(2_000);
    expect(policy.nextDelayMs(running(30_000))).toBe(2_000);
  });

  it('takes its estimate from a RunTimeModel, using the floor only once the class is learned', () => {
    const model = new RunTimeModel();
    const policy = boundedPollPolicy(model);
    expect(policy.nextDelayMs(running(60_000))).toBeLessThanOrEqual(3_000);
    for (const ms of [200_000, 210_000, 190_000]) model.observe(factors, ms);
    expect(policy.nextDelayMs(running(60_000))).toBe(10_000);
  });
});

describe('the ledger ports', () => {
  it('accepts the bounded policy and the model when the ledger is built', () => {
    const model = new RunTimeModel();
    const policy: LedgerPollPolicy = boundedPollPolicy(model);
    const learner: RunTimeLearner = model;
    learner.observe({ maxImages: 2, resolution: 'not a label' }, 9_000);
    expect(policy.nextDelayMs({ phase: 'running', sinceSubmitMs: 1_000, sinceRunningMs: 1_000, polls: 1, factors: { maxImages: 2, resolution: '' } })).toBe(
      3_000,
    );
    expect(model.snapshot().classes).toMatchObject([{ resolution: '2K', images: 2 }]);
  });
});

describe('fixedPollPolicy', () => {
  it('always waits the same when asked in any phase', () => {
    const policy = fixedPollPolicy(2_000);
    expect(policy.nextDelayMs(running(5))).toBe(2_000);
    expect(policy.nextDelayMs({ phase: 'queued', sinceSubmitMs: 9, polls: 2, factors })).toBe(2_000);
    expect(policy.name).toBe('fixed 2 s');
  });
});
