import { describe, expect, it } from 'vitest';
import { adaptivePollPolicy, denseGapMs, estimateRunMs, fixedPollPolicy, nextScheduledPollMs, RunTimeEstimator } from '../../app/api/poll-policy';
import { JOB_CLASSES, measureClass, missedGoals, POLLING_GOALS } from '../bench/polling-sim';

function schedule(expectedRunMs: number, untilMs: number): number[] {
  const points: number[] = [];
  for (let t = 0; t < untilMs;) points.push((t = nextScheduledPollMs(t, expectedRunMs)));
  return points;
}

describe('adaptivePollPolicy', () => {
  it('polls sparsely before 75 % of the expected time, then every 0.25·√E s', () => {
    expect(denseGapMs(25_000)).toBe(1_250);
    expect(schedule(25_000, 26_000)).toEqual([2_344, 4_688, 9_375, 18_750, 20_000, 21_250, 22_500, 23_750, 25_000, 26_250]);
  });

  it('caps sparse gaps at 30 s for long jobs', () => {
    const points = schedule(301_000, 225_750);
    const gaps = points.slice(1).map((t, i) => t - points[i]!);
    expect(Math.max(...gaps)).toBe(30_000);
    expect(points.at(-1)).toBe(225_750);
  });

  it('backs off geometrically once a job is overdue, up to 15 s', () => {
    const points = schedule(25_000, 200_000);
    const gaps = points.slice(1).map((t, i) => t - points[i]!);
    const overdue = gaps.slice(gaps.findIndex((g, i) => i > 4 && g > 1_250));
    expect(overdue.slice(0, 3)).toEqual([1_563, 1_953, 2_441]);
    expect(Math.max(...gaps)).toBe(15_000);
  });

  it('polls a queued job every 2, 3, 4.5, … s up to 10 s', () => {
    const policy = adaptivePollPolicy();
    const delays = [1, 2, 3, 4, 5, 6].map((queuedPolls) => policy.nextDelayMs({ phase: 'queued', sinceAnchorMs: 0, queuedPolls, expectedRunMs: 25_000 }));
    expect(delays).toEqual([2_000, 3_000, 4_500, 6_750, 10_000, 10_000]);
  });

  it('fixed policies always wait the same', () => {
    expect(fixedPollPolicy(2_000).nextDelayMs({ phase: 'running', sinceAnchorMs: 5, queuedPolls: 0, expectedRunMs: 1 })).toBe(2_000);
  });
});

describe('polling goals (fake clock, 101 jobs per class)', () => {
  it.each(POLLING_GOALS)('meets the goals for $seconds s jobs: ≤ $maxRequests requests, mean delay ≤ $meanDelayMs ms', async (goal) => {
    const stats = await measureClass(
      adaptivePollPolicy(),
      JOB_CLASSES.find((c) => c.seconds === goal.seconds)!,
    );
    expect(stats.maxRequests).toBeLessThanOrEqual(goal.maxRequests);
    expect(stats.meanDelayMs).toBeLessThanOrEqual(goal.meanDelayMs);
    expect(missedGoals([stats])).toEqual([]);
  });

  it('makes no request after a terminal state for any job length', async () => {
    for (const cls of JOB_CLASSES) expect((await measureClass(adaptivePollPolicy(), cls)).afterTerminal).toBe(0);
  });
});

describe('run-time estimates', () => {
  it('guesses from images and resolution, capped by the count the prompt asks for', () => {
    expect(estimateRunMs({ maxImages: 3, resolution: '2048x2048 (1:1)' })).toBe(25_000);
    expect(estimateRunMs({ maxImages: 15, resolution: '4K' })).toBe(301_000);
    expect(estimateRunMs({ maxImages: 6, resolution: '2K', prompt: 'Generate 2 images of a boat' })).toBe(17_000);
  });

  it('learns from finished jobs, at most ×4 per job', () => {
    const est = new RunTimeEstimator();
    const job = { maxImages: 3, resolution: '2048x2048 (1:1)' } as const;
    est.observe(job, 50_000);
    expect(est.estimateMs(job)).toBe(37_500);
    est.observe(job, 10_000_000);
    expect(est.estimateMs(job)).toBe(37_500 * 0.5 + 100_000 * 0.5);
  });
});
