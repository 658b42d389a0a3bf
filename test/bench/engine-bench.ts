/**
 * Engine benchmark: `npx tsx test/bench/engine-bench.ts`.
 * (a) scheduling overhead of 1,000 instant nodes, (b) parse + plan of a 1,000-node /
 * 1,500-edge workflow (goal ≤ 50 ms median), (c) makespan ÷ physical limit on a FakeClock
 * (goal ≤ 1.02). Prints one report; exits non-zero when a goal is missed.
 */
import { MemoryCache } from '../../app/engine/cache';
import { planRun } from '../../app/engine/plan';
import { executePlan } from '../../app/engine/run-graph';
import { zWorkflow, type Workflow } from '../../app/graph/workflow-schema';
import { realClock } from '../../app/lib/clock';
import { fakeServices } from '../fixtures/run-harness';
import { assertPlannable, benchRegistry, largeWorkflowJson, makespanScenarios, measureMakespan } from './engine-scenarios';

const RUNS = 15;
const PLAN_GOAL_MS = 50;
const RATIO_GOAL = 1.02;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const ms = (x: number) => `${x.toFixed(2)} ms`;
const NODES = 1000;
const perNode = (totalMs: number) => `${((totalMs * 1000) / NODES).toFixed(1)} µs`;
const timed = async <T>(fn: () => T | Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const value = await fn();
  return [value, performance.now() - t0];
};

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
  const json = largeWorkflowJson(NODES, 1500);
  const parsedOnce = zWorkflow.safeParse(json);
  if (!parsedOnce.success) throw new Error(`bench workflow does not parse: ${parsedOnce.error.message}`);
  const workflow: Workflow = parsedOnce.data;
  assertPlannable(workflow);
  let failed = false;

  // (a) Scheduling overhead: instant nodes on the real clock, so all time is the executor's.
  const services = { ...fakeServices(), clock: realClock };
  const plan = planRun(workflow, benchRegistry);
  for (let i = 0; i < 3; i++) await executePlan(plan, services); // warm-up (JIT)
  const execTimes: number[] = [];
  const cachedTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const [summary, t] = await timed(() => executePlan(plan, services, { concurrency: 4 }));
    if (summary.status !== 'succeeded') throw new Error(`bench run ${summary.status}`);
    execTimes.push(t);
    const cache = new MemoryCache(2000);
    await executePlan(plan, services, { cache });
    cachedTimes.push((await timed(() => executePlan(plan, services, { cache })))[1]);
  }
  const exec = median(execTimes);
  const cached = median(cachedTimes);
  console.log('(a) scheduling overhead, 1,000 instant nodes / 1,500 edges, concurrency 4');
  console.log(
    table(
      ['run', 'median total', 'per node'],
      [
        ['execute (no cache)', ms(exec), perNode(exec)],
        ['execute (all cached)', ms(cached), perNode(cached)],
      ],
    ),
  );

  // (b) Parse + validate/plan, median of RUNS after warm-up.
  for (let i = 0; i < 3; i++) planRun(zWorkflow.parse(json), benchRegistry);
  const parseTimes: number[] = [];
  const planTimes: number[] = [];
  const bothTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const [parsed, tp] = await timed(() => zWorkflow.safeParse(json));
    if (!parsed.success) throw new Error('parse failed');
    const [p, tv] = await timed(() => planRun(parsed.data, benchRegistry));
    if (!p.ok) throw new Error('plan failed');
    parseTimes.push(tp);
    planTimes.push(tv);
    bothTimes.push(tp + tv);
  }
  const both = median(bothTimes);
  console.log(`\n(b) parse + plan of a 1,000-node / 1,500-edge workflow, median of ${RUNS} (goal ≤ ${PLAN_GOAL_MS} ms)`);
  console.log(
    table(
      ['step', 'median', 'min', 'max'],
      [
        ['zWorkflow.safeParse', ms(median(parseTimes)), ms(Math.min(...parseTimes)), ms(Math.max(...parseTimes))],
        ['planRun (validate, prune, order, keys)', ms(median(planTimes)), ms(Math.min(...planTimes)), ms(Math.max(...planTimes))],
        ['parse + plan', ms(both), ms(Math.min(...bothTimes)), ms(Math.max(...bothTimes))],
      ],
    ),
  );
  if (both > PLAN_GOAL_MS) {
    failed = true;
    console.log(`  MISSED: ${ms(both)} > ${PLAN_GOAL_MS} ms`);
  }

  // (c) Makespan against the physical limit, on a FakeClock (exact virtual milliseconds).
  const rows = [];
  for (const scenario of makespanScenarios()) rows.push(await measureMakespan(scenario));
  console.log(`\n(c) makespan ÷ physical limit, FakeClock (goal ≤ ${RATIO_GOAL})`);
  console.log(
    table(
      ['scenario', 'jobs', 'conc', 'makespan', 'critical path', 'Σ÷conc', 'limit', 'ratio'],
      rows.map((r) => [r.name, r.jobs, r.concurrency, r.makespanMs, r.criticalPathMs, r.workPerSlotMs, r.limitMs, r.ratio.toFixed(3)]),
    ),
  );
  if (rows.some((r) => r.ratio > RATIO_GOAL)) {
    failed = true;
    console.log('  MISSED: a ratio is above the goal');
  }
  if (failed) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
