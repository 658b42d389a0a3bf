/**
 * One measurement of test/bench/batch-bench.ts, in its own process so its peak RSS is the
 * coordinator's alone (the simulator runs in another process). Argument: JSON {kind, baseUrl,
 * rows, concurrency, pollMs}. Prints one JSON line of timings and memory on stdout.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { fixedPollPolicy } from '../../app/api/poll-policy';
import { RunComfyClient, RunComfyProvider } from '../../app/api/runcomfy';
import { parseRows, planColumns, resolveRow, rowFingerprint, runBatch, SpendCap, type BatchRunRow } from '../../app/batch';
import { MemoryCache } from '../../app/engine/cache';
import { loadWorkflow } from '../../app/graph/load-workflow';
import { JobLedger, MemoryLedgerStore } from '../../app/ledger';
import { realClock } from '../../app/lib/clock';
import { runCli } from '../../app/server/cli/run-cli';
import { findBuiltinTemplate } from '../../app/templates';
import { registry } from '../../nodes';
import { MemoryAssetStore } from '../fixtures/fake-run-context';
import { cpuBetween, cpuByKind } from './process-cpu';

interface Job {
  kind: 'batch' | 'runs' | 'core';
  baseUrl: string;
  rows: number;
  concurrency: number;
  pollMs: number;
  /** Rows through pg-boss on this database (`batch --queue`): workers run them, this process follows. */
  queue?: string;
  /** Rows of a first batch, not timed, before the measured one: workers are long-lived processes, measured warm. */
  warmRows?: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const png = () => encode({ width: 48, height: 32, data: new Uint8Array(48 * 32 * 3).map((_, i) => (i * 13) % 256), channels: 3, depth: 8 });

/** CPU time all processes on this machine used so far (Linux /proc/stat; undefined elsewhere): every core's busy time, in ms. */
function machineCpu(): { busyMs: number } | undefined {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
    // user nice system idle iowait irq softirq: all but idle and iowait were this machine's work (steal is
    // time the host gave other machines). Ticks of 10 ms (USER_HZ 100, as on every Linux build here).
    const busy = ticks.slice(0, 7).reduce((sum, t, i) => (i === 3 || i === 4 ? sum : sum + t!), 0);
    return { busyMs: busy * 10 };
  } catch {
    return undefined;
  }
}

async function cli(argv: string[], cwd: string, onLine: (line: string) => void = () => undefined): Promise<number> {
  return runCli({
    argv,
    env: { RUNCOMFY_API_TOKEN: 'bench', RUNCOMFY_BASE_URL: job.baseUrl },
    cwd,
    stdout: () => undefined,
    stderr: onLine,
    pollPolicy: fixedPollPolicy(job.pollMs),
    settleMs: 5_000,
  });
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'batch-bench-'));
  try {
    await writeFile(join(dir, 'a.png'), png());
    // Every row is new work (its own prompt), so each pays one job: nothing is reused from the cache.
    const tag = `${process.pid}-${Date.now()}`;
    let peakHeap = 0;
    const sample = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 50);
    const t0 = performance.now();
    if (job.kind === 'core') {
      const runMs = await coreOnly(tag);
      clearInterval(sample);
      console.log(JSON.stringify({ checkMs: 0, runMs, totalMs: runMs, cpuMs: 0, maxRssKb: process.resourceUsage().maxRSS, peakHeap, retained: [] }));
      return;
    }
    if (job.kind === 'runs') {
      const times: number[] = [];
      for (let i = 0; i < job.rows; i++) {
        const t = performance.now();
        const code = await cli(
          [
            'run',
            'character-scenes',
            '--set',
            'character=a.png',
            '--set',
            `scenes=Generate 1 image ${tag} ${i}`,
            '--set',
            'maxImages=1',
            '--out',
            `out-${i}`,
            '--cache-dir',
            'cache',
          ],
          dir,
        );
        if (code !== 0) throw new Error(`run exited ${code}`);
        times.push(performance.now() - t);
      }
      clearInterval(sample);
      console.log(JSON.stringify({ times, maxRssKb: process.resourceUsage().maxRSS, peakHeap }));
      return;
    }
    const rowsCsv = (n: number, label: string) =>
      ['character,scenes,maxImages', ...Array.from({ length: n }, (_, i) => `a.png,Generate 1 image ${label} ${i},1`)].join('\n');
    if (job.warmRows) {
      await writeFile(join(dir, 'warm.csv'), rowsCsv(job.warmRows, `${tag} warm`));
      const warm = await cli(
        [
          'batch',
          'character-scenes',
          '--rows',
          'warm.csv',
          '--out',
          'warm-out',
          '--cache-dir',
          'warm-cache',
          '--concurrency',
          String(job.concurrency),
          ...(job.queue ? ['--queue', job.queue] : []),
        ],
        dir,
      );
      if (warm !== 0) throw new Error(`warm-up batch exited ${warm}`);
    }
    const csv = rowsCsv(job.rows, tag);
    await writeFile(join(dir, 'rows.csv'), csv);
    let costAt = NaN;
    let elu0 = performance.eventLoopUtilization();
    let cpu0 = process.cpuUsage();
    let machine0 = machineCpu();
    let kinds0 = cpuByKind(process.pid);
    let done = 0;
    const startedAt = new Map<string, number>();
    let rowMsSum = 0;
    let rowsTimed = 0;
    const retained: number[] = [];
    const gc = (globalThis as { gc?: () => void }).gc;
    const code = await cli(
      [
        'batch',
        'character-scenes',
        '--rows',
        'rows.csv',
        '--out',
        'out',
        '--cache-dir',
        'cache',
        '--concurrency',
        String(job.concurrency),
        ...(job.queue ? ['--queue', job.queue] : []),
      ],
      dir,
      (line) => {
        if (line.startsWith('Cost:')) {
          costAt = performance.now();
          elu0 = performance.eventLoopUtilization();
          cpu0 = process.cpuUsage();
          machine0 = machineCpu();
          kinds0 = cpuByKind(process.pid);
        }
        const row = /^row (\S+) \(line \d+\): (started|done)/.exec(line);
        if (row?.[2] === 'started') startedAt.set(row[1]!, performance.now());
        else if (row?.[2] === 'done') {
          rowMsSum += performance.now() - startedAt.get(row[1]!)!;
          rowsTimed++;
          startedAt.delete(row[1]!);
        }
        // What stays after a full GC every 100 rows: it would grow with the rows if anything per row were kept.
        if (gc && / done — /.test(line) && ++done % 100 === 0) {
          gc();
          retained.push(process.memoryUsage().heapUsed);
        }
      },
    );
    const end = performance.now();
    const busy = performance.eventLoopUtilization(elu0).utilization;
    const runCpu = process.cpuUsage(cpu0);
    const machine1 = machineCpu();
    const kinds1 = cpuByKind(process.pid);
    clearInterval(sample);
    if (code !== 0) throw new Error(`batch exited ${code}`);
    const cpu = process.cpuUsage();
    console.log(
      JSON.stringify({
        checkMs: costAt - t0,
        runMs: end - costAt,
        totalMs: end - t0,
        cpuMs: (cpu.user + cpu.system) / 1000,
        runCpuMs: (runCpu.user + runCpu.system) / 1000,
        ...(machine0 && machine1 ? { machineBusyMs: machine1.busyMs - machine0.busyMs } : {}),
        ...(kinds0 && kinds1 ? { cpuByKind: cpuBetween(kinds0, kinds1) } : {}),
        busy,
        rowMs: rowMsSum / Math.max(1, rowsTimed),
        maxRssKb: process.resourceUsage().maxRSS,
        peakHeap,
        retained,
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The same rows through the batch core alone (runBatch, SpendCap, the ledger and the RunComfy
 * provider) with the ledger, cache and assets in memory: what the core scales to without the
 * CLI's file stores. Resolves with the run time in ms.
 */
async function coreOnly(tag: string): Promise<number> {
  const assets = new MemoryAssetStore();
  const provider = new RunComfyProvider({
    client: new RunComfyClient({ baseUrl: job.baseUrl, token: 'bench' }),
    assets,
    fetchReference: () => Promise.reject(new Error('no https references in this bench')),
  });
  const ledger = new JobLedger({
    store: new MemoryLedgerStore(),
    provider,
    assets,
    clock: realClock,
    owner: { id: 'bench' },
    policy: fixedPollPolicy(job.pollMs),
    onStop: 'detach',
  });
  const loaded = loadWorkflow(findBuiltinTemplate('character-scenes')!.workflow, registry);
  if (!loaded.ok) throw new Error('template does not load');
  const table = parseRows(
    ['character,scenes,maxImages', ...Array.from({ length: job.rows }, (_, i) => `a.png,Generate 1 image ${tag} ${i},1`)].join('\n'),
    'csv',
  );
  const columns = planColumns(loaded.workflow, table.columns, registry);
  const picture = await assets.put(png(), { name: 'a.png' });
  const rows: BatchRunRow[] = [];
  for (const row of table.rows) {
    const r = await resolveRow(loaded.workflow, columns, row, async () => picture);
    if (!r.ok) throw new Error('row does not resolve');
    const workflow = r.workflow;
    rows.push({ id: row.id, line: row.line, fingerprint: rowFingerprint(workflow), resolve: async () => workflow });
  }
  const t = performance.now();
  const result = await runBatch({
    batchId: 'bench',
    rows,
    registry,
    generation: new SpendCap({ inner: ledger, ledger, priceUsd: async () => 0.04 }),
    assets,
    clock: realClock,
    cache: new MemoryCache(),
    openRow: async () => ({ sink: { save: async () => [] }, finish: async () => [] }),
    concurrency: job.concurrency,
    onEvent: () => undefined,
  });
  if (result.status !== 'succeeded') throw new Error(`core batch ${result.status}`);
  return performance.now() - t;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
