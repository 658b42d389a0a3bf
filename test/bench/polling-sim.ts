import { RunComfyClient } from '../../app/api/client';
import { adaptivePollPolicy, estimateRunMs, fixedPollPolicy, type PollPolicy, type RunTimeFactors } from '../../app/api/poll-policy';
import { waitForJob } from '../../app/api/wait-for-job';
import { FakeClock } from '../fixtures/fake-clock';
import { FakeFetch, simulateJob } from '../fixtures/fake-fetch';

/**
 * Polling measured on a fake clock with the real client and wait loop against a simulated
 * RunComfy job: every request counts (status, result), and detection delay is the time from the
 * job finishing to waitForJob returning its result.
 */

export interface JobClass {
  label: string;
  /** Nominal time from submit to completion. */
  seconds: number;
  /** What such a job asks for; the adaptive policy's estimate comes from this, not from `seconds`. */
  factors: RunTimeFactors;
}

/** The four job lengths of the issue, each with a request that typically takes about that long. */
export const JOB_CLASSES: readonly JobClass[] = [
  { label: '5 s', seconds: 5, factors: { maxImages: 1, resolution: '2048x2048 (1:1)' } },
  { label: '25 s', seconds: 25, factors: { maxImages: 3, resolution: '2048x2048 (1:1)' } },
  { label: '60 s', seconds: 60, factors: { maxImages: 7, resolution: '2048x2048 (1:1)' } },
  { label: '300 s', seconds: 300, factors: { maxImages: 15, resolution: '4K' } },
];

/** The goals: per job, at most this many requests and this mean detection delay. */
export const POLLING_GOALS = [
  { seconds: 25, maxRequests: 12, meanDelayMs: 800 },
  { seconds: 300, maxRequests: 45, meanDelayMs: 2_500 },
] as const;

/** Goals a set of adaptive-policy rows misses, as sentences (empty when all are met). */
export function missedGoals(rows: readonly ClassStats[]): string[] {
  const missed: string[] = [];
  for (const goal of POLLING_GOALS) {
    const row = rows.find((r) => r.job === `${goal.seconds} s`);
    if (!row) continue;
    if (row.maxRequests > goal.maxRequests) missed.push(`${row.job}: ${row.maxRequests} requests > ${goal.maxRequests}`);
    if (row.meanDelayMs > goal.meanDelayMs) missed.push(`${row.job}: mean delay ${row.meanDelayMs} ms > ${goal.meanDelayMs} ms`);
    if (row.afterTerminal > 0) missed.push(`${row.job}: ${row.afterTerminal} requests after the terminal state`);
  }
  return missed;
}

/**
 * Each class is run as 101 jobs lasting 90 %…110 % of nominal (evenly spaced), each shifted by a
 * different fraction of a second (golden-ratio steps) so no poll grid lines up with the job ends.
 */
export const SPREAD = Array.from({ length: 101 }, (_, i) => ({ factor: 0.9 + i * 0.002, shiftMs: Math.round(((i * 0.618034) % 1) * 1000) }));
/** Every simulated job waits this long in the queue first (part of its total time). */
export const QUEUE_MS = 500;

export interface JobRun {
  requests: number;
  delayMs: number;
  /** Requests after the one that saw the job finished (must be 0). */
  afterTerminal: number;
}

/** One job of `totalMs` (queue included), polled under `policy` expecting `expectedRunMs`. */
export async function runJob(policy: PollPolicy, totalMs: number, expectedRunMs: number): Promise<JobRun> {
  const clock = new FakeClock();
  const fake = new FakeFetch(clock);
  const client = new RunComfyClient({ fetch: fake.fetch, clock, baseUrl: 'https://api.test/v1', random: () => 0 });
  const sim = simulateJob(fake, clock, { basePath: '/v1', requestId: 'job', submittedAt: 0, queueMs: QUEUE_MS, runMs: totalMs - QUEUE_MS });
  await clock.drive(waitForJob(client, 'job', { clock, policy, expectedRunMs }));
  const firstDone = sim.observed.findIndex((s) => s === 'succeeded');
  return { requests: fake.requests.length, delayMs: clock.now() - sim.doneAt, afterTerminal: sim.observed.length - 1 - firstDone };
}

export interface ClassStats {
  policy: string;
  job: string;
  meanRequests: number;
  maxRequests: number;
  meanDelayMs: number;
  maxDelayMs: number;
  afterTerminal: number;
}

/**
 * A job class under a policy. `estimateFactor` scales the adaptive policy's estimate, to show
 * what a wrong guess costs (1 = the guess from the request's images and resolution).
 */
export async function measureClass(policy: PollPolicy, cls: JobClass, estimateFactor = 1): Promise<ClassStats> {
  const expected = estimateRunMs(cls.factors) * estimateFactor;
  const runs: JobRun[] = [];
  for (const { factor, shiftMs } of SPREAD) runs.push(await runJob(policy, cls.seconds * 1000 * factor + shiftMs, expected));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    policy: policy.name,
    job: cls.label,
    meanRequests: mean(runs.map((r) => r.requests)),
    maxRequests: Math.max(...runs.map((r) => r.requests)),
    meanDelayMs: mean(runs.map((r) => r.delayMs)),
    maxDelayMs: Math.max(...runs.map((r) => r.delayMs)),
    afterTerminal: Math.max(...runs.map((r) => r.afterTerminal)),
  };
}

export const BENCH_POLICIES = (): PollPolicy[] => [adaptivePollPolicy(), fixedPollPolicy(500), fixedPollPolicy(2_000)];

/** The benchmark table as text. */
export function formatTable(rows: readonly ClassStats[]): string {
  const head = ['policy', 'job', 'req/job mean', 'req/job max', 'delay mean s', 'delay max s', 'after terminal'];
  const body = rows.map((r) => [
    r.policy,
    r.job,
    r.meanRequests.toFixed(1),
    String(r.maxRequests),
    (r.meanDelayMs / 1000).toFixed(2),
    (r.maxDelayMs / 1000).toFixed(2),
    String(r.afterTerminal),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
