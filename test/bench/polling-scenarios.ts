import { boundedPollPolicy, DEFAULT_BOUNDED_POLL } from '../../app/api/poll-policy';
import { RunTimeModel } from '../../app/api/run-time-model';
import { classJobs, guessedEstimate, learnedModel, measureRow, realisticMix, type BenchRow, type MixJob, type RowStats } from './polling-sim';

/**
 * The polling bench's rows and the goals each is held to, at a given size (the bench runs 1,000
 * mix jobs; the unit test a smaller seeded sample of the same distributions).
 */

const s = (ms: number) => `${ms / 1000} s`;
const within =
  (ms: number) =>
  (b: RowStats): [string, boolean] => [`max delay ≤ ${s(ms)}`, b.maxDelayMs <= ms];
const bound = within(DEFAULT_BOUNDED_POLL.boundMs);
const meanDelay = (b: RowStats): [string, boolean] => ['mean delay ≤ 1.5 s', b.meanDelayMs <= 1_500];
const requestRatio =
  (limit: number) =>
  (b: RowStats, f: RowStats): [string, boolean] => [`requests ≤ ${limit}× fixed 2 s`, b.meanRequests <= limit * f.meanRequests];

export interface PollingSizes {
  mixJobs: number;
  longJobs: number;
  /** Jobs per long class the learned model has seen before the measured ones. */
  warmPerClass: number;
}

export const BENCH_SIZES: PollingSizes = { mixJobs: 1_000, longJobs: 300, warmPerClass: 4 };

export async function pollingRows(sizes: PollingSizes): Promise<BenchRow[]> {
  const guessed = (job: MixJob) => boundedPollPolicy(guessedEstimate(job.estimateMs));
  const mixGoals = (b: RowStats, f: RowStats) => [bound(b), meanDelay(b), requestRatio(1)(b, f)];
  const rows = [
    await measureRow('mix, estimate ×0.5–×2', realisticMix(sizes.mixJobs, 1), (j) => guessed(j as MixJob), mixGoals),
    await measureRow('mix, estimate ×0.5', realisticMix(sizes.mixJobs, 2, 0.5), (j) => guessed(j as MixJob), mixGoals),
    await measureRow('mix, estimate ×2', realisticMix(sizes.mixJobs, 3, 2), (j) => guessed(j as MixJob), mixGoals),
  ];
  const cold = boundedPollPolicy(new RunTimeModel());
  rows.push(
    await measureRow(
      'long ≥ 120 s, cold (guess)',
      classJobs('long', sizes.longJobs, 4),
      () => cold,
      (b) => [bound(b)],
    ),
  );
  const long = await learnedModel('long', sizes.warmPerClass, 5);
  const onLong = boundedPollPolicy(long);
  rows.push(
    await measureRow(
      'long ≥ 120 s, learned',
      classJobs('long', sizes.longJobs, 6),
      () => onLong,
      (b, f) => [bound(b), requestRatio(0.5)(b, f)],
      long,
    ),
  );
  // Outliers: runs ×0.6 of their class's typical time, faster than the floor; not learned from,
  // so every one of them meets the floor as it was.
  const outliers = classJobs('long', sizes.longJobs, 7, 0.6);
  rows.push(
    await measureRow(
      'long, learned, outliers (run ×0.6)',
      outliers,
      () => onLong,
      (b) => [within(DEFAULT_BOUNDED_POLL.sparseGapMs)(b)],
    ),
  );
  // Short jobs with learned floors: the floor's slack must cover how roughly run times are measured.
  const short = await learnedModel('short', sizes.warmPerClass, 8);
  const onShort = boundedPollPolicy(short);
  rows.push(
    await measureRow(
      'short 4–38 s, learned',
      classJobs('short', sizes.mixJobs, 9),
      () => onShort,
      (b, f) => [...mixGoals(b, f)],
      short,
    ),
  );
  return rows;
}

/** Goals missed, as sentences (empty when all are met). */
export function missedGoals(rows: readonly BenchRow[]): string[] {
  return rows.flatMap((r) => r.goals.filter(([, met]) => !met).map(([goal]) => `${r.label}: ${goal}`));
}

/** The bench table as Markdown. */
export function formatTable(rows: readonly BenchRow[]): string {
  const head = ['jobs', 'n', 'req/job', 'fixed 2 s', 'ratio', 'mean delay s (fixed)', 'max delay s (fixed)', 'goals'];
  const body = rows.map((r) => [
    r.label,
    String(r.jobs),
    r.bounded.meanRequests.toFixed(1),
    r.fixed.meanRequests.toFixed(1),
    `${(r.bounded.meanRequests / r.fixed.meanRequests).toFixed(2)}×`,
    `${(r.bounded.meanDelayMs / 1000).toFixed(2)} (${(r.fixed.meanDelayMs / 1000).toFixed(2)})`,
    `${(r.bounded.maxDelayMs / 1000).toFixed(2)} (${(r.fixed.maxDelayMs / 1000).toFixed(2)})`,
    r.goals.map(([g, met]) => `${met ? '✓' : '✗'} ${g}`).join('; '),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
