/**
 * Batch benchmark: `npx tsx test/bench/batch-bench.ts` (or `npm run bench -- batch`).
 * Against a simulator process whose every job takes a fixed time (no queue), each measurement in
 * its own coordinator process (test/bench/batch-bench-child.ts):
 * (a) rows/s for 200 rows in-process at concurrency 4, 8 and 16, as the ratio to ideal linear
 *     scaling (c × the rate of one row at a time), goal ≥ 0.9;
 * (b) per-row overhead of a batch against single `run`s of the same template;
 * (c) peak RSS of the coordinator for 200 and 1,000 rows (goal: flat).
 * (a'') the same 200 rows through pg-boss (`batch --queue`) with 1, 2 and 4 warm worker processes
 *     of 4 rows at once each, as the ratio to n × the 1-worker rate (the mean of a run before and
 *     after), on a throwaway PostgreSQL;
 *     (a''') 1 and 4 workers of 2 rows at once: the queue when the machine's cores are less loaded.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { spawnSimulator } from '../server/simulator-process';
import type { CpuByKind } from './process-cpu';
import { measureQueueScaling, type QueueFigure } from './queue-scaling';

const JOB_MS = 400;
/** Polling this often adds at most this much to a row (RunComfy is polled less often, but its jobs take minutes). */
const POLL_MS = 50;
const SCALING_GOAL = 0.9;
const child = fileURLToPath(new URL('./batch-bench-child.ts', import.meta.url));

interface BatchFigures {
  checkMs: number;
  runMs: number;
  /** Mean time of a row from its start to its end. */
  rowMs: number;
  /** Share of the run the coordinator's main thread was busy (event-loop utilisation). */
  busy: number;
  totalMs: number;
  maxRssKb: number;
  peakHeap: number;
  /** Heap after a full GC every 100 rows. */
  retained: number[];
  /** CPU the coordinator process used in the run phase (all its threads). */
  runCpuMs: number;
  /** CPU every process on the machine used in the run phase (coordinator, simulator, workers, PostgreSQL), when readable. */
  machineBusyMs?: number;
  /** The run phase's CPU by kind of process (test/bench/process-cpu.ts), when readable. */
  cpuByKind?: CpuByKind;
}

/** A fixed piece of JavaScript work (JSON and string handling, like a row's), timed: this machine's speed now, to compare runs by. */
function calibrate(): number {
  const doc = {
    rows: Array.from({ length: 2000 }, (_, i) => ({ id: `row-${i}`, prompt: `Generate 1 image ${i}`, urls: [`https://example.com/${i}.png`], cost: i / 7 })),
  };
  const t0 = performance.now();
  let n = 0;
  for (let i = 0; i < 60; i++) n += (JSON.parse(JSON.stringify(doc)) as typeof doc).rows.length;
  if (n !== 120_000) throw new Error('calibration went wrong');
  return performance.now() - t0;
}

const CORES = availableParallelism();
const coresBusy = (f: BatchFigures) => (f.machineBusyMs === undefined ? 'n/a' : `${(f.machineBusyMs / f.runMs).toFixed(2)} of ${CORES}`);
/** The cores the machine would need to run at `idealRate` rows/s, at the CPU per row this run used. */
const coresAtIdeal = (f: BatchFigures, rows: number, idealRate: number) =>
  f.machineBusyMs === undefined ? 'n/a' : `${(((f.machineBusyMs / rows) * idealRate) / 1000).toFixed(2)} of ${CORES}`;
/** The run phase's CPU per row by kind of process: where a machine's cores go. */
const cpuSplit = (f: BatchFigures, rows: number) => {
  const k = f.cpuByKind;
  if (!k) return 'n/a';
  const ms = (v: number) => (v / rows).toFixed(0);
  return `${ms(k.workers)} · ${ms(k.postgres)} · ${ms(k.simulator)} · ${ms(k.coordinator)}`;
};

/**
 * Runs one measurement in a fresh coordinator process against a fresh simulator process (so no run
 * inherits another's load). `onSim` starts what else the run needs against that simulator (queue
 * workers) and returns how to stop it. The child runs asynchronously: workers' output is drained meanwhile.
 */
async function measure<T>(job: Record<string, unknown>, onSim?: (baseUrl: string) => Promise<() => Promise<void>>): Promise<T> {
  const sim = await spawnSimulator([
    '--port',
    '0',
    '--token',
    'bench',
    '--workers',
    '64',
    '--queue-ms',
    '0',
    '--base-ms',
    String(JOB_MS),
    '--per-image-ms',
    '0',
    '--output-scale',
    '0.03',
  ]);
  const stopExtra = onSim ? await onSim(`${sim.url}/v1`) : undefined;
  try {
    const c = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', child, JSON.stringify({ ...job, pollMs: POLL_MS, baseUrl: `${sim.url}/v1` })], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    c.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
    c.stderr.setEncoding('utf8').on('data', (t: string) => (err = (err + t).slice(-4000)));
    const status = await new Promise<number | null>((resolve) => c.once('exit', resolve));
    if (status !== 0) throw new Error(`bench child failed (${status}): ${err.slice(-2000)}`);
    return JSON.parse(out.trim().split('\n').at(-1)!) as T;
  } finally {
    await stopExtra?.();
    await sim.stop();
  }
}

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

const mb1 = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;
const retainedRange = (f: BatchFigures) => (f.retained.length ? `${mb1(f.retained[0]!)} → ${mb1(f.retained.at(-1)!)}` : '');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  let failed = false;
  console.log(
    `Simulator (its own process): every job takes ${JOB_MS} ms, no queue; polling every ${POLL_MS} ms; one 48×32 reference and 1 output image per row.`,
  );

  const calibrationBefore = calibrate();
  // (a) Scaling: the rate of one row at a time (before and after, as this machine's speed drifts), then 200 rows at 4, 8, 16.
  const before = await measure<BatchFigures>({ kind: 'batch', rows: 20, concurrency: 1 });
  const measured = [];
  for (const c of [4, 8, 16]) measured.push({ c, f: await measure<BatchFigures>({ kind: 'batch', rows: 200, concurrency: c }) });
  const after = await measure<BatchFigures>({ kind: 'batch', rows: 20, concurrency: 1 });
  const rate1 = (20 / (before.runMs / 1000) + 20 / (after.runMs / 1000)) / 2;
  const scaling = measured.map(({ c, f }) => {
    const rate = 200 / (f.runMs / 1000);
    return { c, f, rate, ratio: rate / (c * rate1), bound: rate / (c / (JOB_MS / 1000)) };
  });
  console.log(`\n(a) rows/s, 200 rows in-process (run phase, after every row was checked); goal ≥ ${SCALING_GOAL} of c × the 1-row rate`);
  console.log(
    table(
      [
        'concurrency',
        'rows',
        'check',
        'run',
        'rows/s',
        'ideal (c × 1-row)',
        'ratio',
        'of latency bound',
        'row time',
        'main thread busy',
        'coordinator CPU/row',
        'cores busy (machine)',
        'main thread at ideal',
        'cores at ideal',
      ],
      [
        ...[before, after].map((f, i) => [
          i === 0 ? '1 (before)' : '1 (after)',
          20,
          `${(f.checkMs / 1000).toFixed(1)} s`,
          `${(f.runMs / 1000).toFixed(1)} s`,
          (20 / (f.runMs / 1000)).toFixed(2),
          i === 0 ? rate1.toFixed(2) : '(mean)',
          '',
          (20 / (f.runMs / 1000) / (1000 / JOB_MS)).toFixed(3),
          `${f.rowMs.toFixed(0)} ms`,
          `${(f.busy * 100).toFixed(0)}%`,
          `${(f.runCpuMs / 20).toFixed(1)} ms`,
          coresBusy(f),
          `${((((f.busy * f.runMs) / 20) * rate1) / 10).toFixed(0)}%`,
          coresAtIdeal(f, 20, rate1),
        ]),
        ...scaling.map((s) => [
          s.c,
          200,
          `${(s.f.checkMs / 1000).toFixed(1)} s`,
          `${(s.f.runMs / 1000).toFixed(1)} s`,
          s.rate.toFixed(2),
          (s.c * rate1).toFixed(2),
          s.ratio.toFixed(3),
          s.bound.toFixed(3),
          `${s.f.rowMs.toFixed(0)} ms`,
          `${(s.f.busy * 100).toFixed(0)}%`,
          `${(s.f.runCpuMs / 200).toFixed(1)} ms`,
          coresBusy(s.f),
          `${((((s.f.busy * s.f.runMs) / 200) * s.c * rate1) / 10).toFixed(0)}%`,
          coresAtIdeal(s.f, 200, s.c * rate1),
        ]),
      ],
    ),
  );
  // 200 rows at 16 at once are 12.5 rounds of rows: the last round runs half full, so even rows that cost nothing reach 12.5/13.
  console.log(
    `  The 1-row rate is the mean of a run before and after (${(20 / (before.runMs / 1000)).toFixed(2)} and ${(20 / (after.runMs / 1000)).toFixed(2)} rows/s). Rows in rounds of c: 200 rows at 16 can reach at most ${(200 / 16 / Math.ceil(200 / 16)).toFixed(3)} of c × 1-row.`,
  );
  const core: { c: number; n: number; rate: number }[] = [];
  for (const c of [1, 4, 8, 16]) {
    const n = c === 1 ? 20 : 200;
    const f = await measure<BatchFigures>({ kind: 'core', rows: n, concurrency: c });
    core.push({ c, n, rate: n / (f.runMs / 1000) });
  }
  console.log(`\n(a') the same rows through the batch core alone, ledger/cache/assets in memory (no CLI file stores)`);
  console.log(
    table(
      ['concurrency', 'rows', 'rows/s', 'ratio to c × 1-row'],
      core.map((x) => [x.c, x.n, x.rate.toFixed(2), (x.rate / (x.c * core[0]!.rate)).toFixed(3)]),
    ),
  );
  const PER_WORKER = 4;
  // The 1-worker rate is the mean of every 1-worker run (one before and one after, as this machine's speed drifts).
  const queueTable = (perWorker: number, queue: QueueFigure<BatchFigures>[]) => {
    const ones = queue.filter((q) => q.workers === 1);
    const rateW1 = ones.reduce((sum, q) => sum + q.rate, 0) / ones.length;
    const label = (q: QueueFigure<BatchFigures>, i: number) => (q.workers > 1 || ones.length === 1 ? String(q.workers) : i === 0 ? '1 (before)' : '1 (after)');
    console.log(
      table(
        [
          'workers',
          'rows',
          'run',
          'rows/s',
          'ideal (n × 1-worker)',
          'ratio',
          'of latency bound',
          'cores busy (machine)',
          'CPU/row ms: workers · PostgreSQL · simulator · coordinator',
          'cores at ideal',
        ],
        queue.map((q, i) => [
          label(q, i),
          q.rows,
          `${(q.runMs / 1000).toFixed(1)} s`,
          q.rate.toFixed(2),
          q.workers > 1 ? (q.workers * rateW1).toFixed(2) : i === 0 ? rateW1.toFixed(2) : '(mean)',
          q.workers > 1 ? (q.rate / (q.workers * rateW1)).toFixed(3) : '',
          (q.rate / ((q.workers * perWorker) / (JOB_MS / 1000))).toFixed(3),
          coresBusy(q.measured),
          cpuSplit(q.measured, q.rows),
          coresAtIdeal(q.measured, q.rows, q.workers * rateW1),
        ]),
      ),
    );
    console.log(
      `  Cores at ideal: the machine's CPU per row in that run × the ideal rate. Every process here (workers, PostgreSQL, the simulator, the coordinator) shares this machine's ${CORES} cores; near or past ${CORES}, the cores, not the queue, bound the ratio.`,
    );
    return queue.filter((q) => q.workers > 1).map((q) => q.rate / (q.workers * rateW1));
  };
  const queue = await measureQueueScaling<BatchFigures>({ workerCounts: [1, 2, 4, 1], rows: 200, perWorker: PER_WORKER, pollMs: POLL_MS, measure });
  console.log(
    `\n(a'') the same 200 rows through pg-boss (batch --queue), ${PER_WORKER} rows at once per worker process, the workers warm (each ran two rounds of an untimed batch first); goal ≥ ${SCALING_GOAL} of n × the 1-worker rate`,
  );
  if (queueTable(PER_WORKER, queue).some((r) => r < SCALING_GOAL)) {
    failed = true;
    console.log(`  MISSED: a pg-boss ratio is below ${SCALING_GOAL}`);
  }
  // The same with half the rows in flight: whether the queue itself (pg-boss, the ledger in PostgreSQL) limits
  // the scaling, or this machine's cores do (every worker, PostgreSQL, the simulator and the coordinator share them).
  const HALF = PER_WORKER / 2;
  const lighter = await measureQueueScaling<BatchFigures>({ workerCounts: [1, 4], rows: 200, perWorker: HALF, pollMs: POLL_MS, measure });
  console.log(`\n(a''') as (a''), ${HALF} rows at once per worker process: the queue with the machine's cores less loaded (not the goal's figure)`);
  queueTable(HALF, lighter);
  if (scaling.some((s) => s.ratio < SCALING_GOAL)) {
    failed = true;
    console.log(`  MISSED: a ratio is below ${SCALING_GOAL}`);
  }

  // (b) Per-row overhead: single runs one after another vs a batch of the same rows one at a time.
  const N = 10;
  const runs = await measure<{ times: number[] }>({ kind: 'runs', rows: N, concurrency: 1 });
  const asBatch = await measure<BatchFigures>({ kind: 'batch', rows: N, concurrency: 1 });
  const single = median(runs.times);
  const perRow = asBatch.totalMs / N;
  console.log(`\n(b) per-row cost, ${N} rows one at a time (each includes the ${JOB_MS} ms job)`);
  console.log(
    table(
      ['how', 'per row', 'of which checking', 'overhead vs run'],
      [
        ['single `run` (median, in-process)', `${single.toFixed(0)} ms`, '', ''],
        ['batch row (check + run)', `${perRow.toFixed(0)} ms`, `${(asBatch.checkMs / N).toFixed(0)} ms`, `${(perRow - single).toFixed(0)} ms`],
      ],
    ),
  );

  // (c) Peak RSS of the coordinator.
  const big = await measure<BatchFigures>({ kind: 'batch', rows: 1000, concurrency: 16 });
  const small = scaling.find((s) => s.c === 16)!.f;
  console.log('\n(c) peak memory of the coordinator at concurrency 16 (goal: flat)');
  console.log(
    table(
      ['rows', 'peak RSS', 'peak heap (sampled)', 'heap after GC: row 100 → last', 'total time'],
      [
        [200, mb(small.maxRssKb), mb(small.peakHeap / 1024), retainedRange(small), `${(small.totalMs / 1000).toFixed(1)} s`],
        [1000, mb(big.maxRssKb), mb(big.peakHeap / 1024), retainedRange(big), `${(big.totalMs / 1000).toFixed(1)} s`],
      ],
    ),
  );
  console.log(`  1,000 ÷ 200 rows: RSS × ${(big.maxRssKb / small.maxRssKb).toFixed(2)}`);
  // The same work timed at the start and the end: on a shared machine its speed drifts, and every ratio above moves with it.
  const calibrationAfter = calibrate();
  console.log(
    `\nMachine: ${CORES} cores; a fixed piece of JSON work took ${calibrationBefore.toFixed(0)} ms at the start and ${calibrationAfter.toFixed(0)} ms at the end (compare runs by it).`,
  );
  if (failed) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
