import { adaptivePollPolicy } from '../../app/api/poll-policy';
import { BENCH_POLICIES, formatTable, JOB_CLASSES, measureClass, missedGoals, POLLING_GOALS, type ClassStats } from './polling-sim';

/**
 * Requests per job and mean detection delay for jobs of 5, 25, 60 and 300 s: the adaptive policy
 * beside fixed 500 ms and fixed 2 s polling. Deterministic (fake clock, no real waiting).
 * Run: npx tsx test/bench/polling-bench.ts
 */
async function main(): Promise<void> {
  const rows: ClassStats[] = [];
  for (const policy of BENCH_POLICIES()) for (const cls of JOB_CLASSES) rows.push(await measureClass(policy, cls));
  console.log('Polling: 101 jobs per class (90–110 % of nominal length, 0.5 s queue), all requests counted\n');
  console.log(formatTable(rows));

  const missed = missedGoals(rows.filter((r) => r.policy === 'adaptive'));
  const goals = POLLING_GOALS.map((g) => `${g.seconds} s job: ≤ ${g.maxRequests} requests, mean delay ≤ ${g.meanDelayMs / 1000} s`).join('; ');
  console.log(missed.length === 0 ? `\nGoals met (${goals}).` : `\nGoals MISSED: ${missed.join('; ')}`);
  if (missed.length > 0) process.exitCode = 1;

  const wrong: ClassStats[] = [];
  for (const factor of [0.5, 2]) {
    for (const cls of JOB_CLASSES.filter((c) => c.seconds === 25 || c.seconds === 300)) {
      const stats = await measureClass(adaptivePollPolicy(), cls, factor);
      wrong.push({ ...stats, policy: `adaptive, estimate ×${factor}` });
    }
  }
  console.log('\nWhat a wrong run-time estimate costs the adaptive policy (before RunTimeEstimator learns)\n');
  console.log(formatTable(wrong));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
