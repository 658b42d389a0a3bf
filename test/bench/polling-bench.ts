import { BENCH_SIZES, formatTable, missedGoals, pollingRows } from './polling-scenarios';

/**
 * The bounded poll policy against RunComfy's CLI poller (fixed 2 s) on the same jobs, on a fake
 * clock (deterministic, no real waiting): the realistic mix, the mix with the estimate always
 * ×0.5 or ×2, and long jobs with a cold and a learned run-time model.
 * Run: npx tsx test/bench/polling-bench.ts
 */
async function main(): Promise<void> {
  const rows = await pollingRows(BENCH_SIZES);
  console.log(
    'Polling: bounded policy vs fixed 2 s, same jobs, every read counted. Mix: run 4–120 s log-uniform, 40 % queued 2–40 s.\n' +
      'Delay = job finished → the read that brings its outputs.\n',
  );
  console.log(formatTable(rows));
  const missed = missedGoals(rows);
  console.log(missed.length === 0 ? '\nAll goals met.' : `\nGoals MISSED: ${missed.join('; ')}`);
  if (missed.length > 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
