import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startPgCluster } from '../pg/pg-cluster';

/** The rate of 200 rows through pg-boss with `workers` worker processes. */
export interface QueueFigure<T = unknown> {
  workers: number;
  rows: number;
  runMs: number;
  rate: number;
  /** What the coordinator's run reported. */
  measured: T;
}

const workerScript = fileURLToPath(new URL('./queue-bench-worker.ts', import.meta.url));

function startWorker(o: { url: string; baseUrl: string; pollMs: number; concurrency: number }): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', workerScript, JSON.stringify(o)], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('bench worker did not start within 30 s')), 30_000);
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (line.startsWith('Worker ')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`bench worker exited early (${code})`)));
  });
}

/**
 * Part (a) of the batch bench for `--queue`: one throwaway PostgreSQL; per worker count a fresh
 * database and simulator, the workers started and idle first, then one coordinator process
 * (`measure`) running the same 200 rows with `--queue`. Each worker runs `perWorker` rows at
 * once, so the ideal is linear in the number of workers. The workers first run two rounds of rows
 * of a warm-up batch (untimed): a worker serves many batches, and a cold one's first rows (the
 * JIT compiling, connections opening, every worker's first rows submitted in the same instant)
 * would otherwise weigh 4× more in a run of 4 workers than of one.
 */
export async function measureQueueScaling<T extends { runMs: number }>(o: {
  workerCounts: readonly number[];
  rows: number;
  perWorker: number;
  pollMs: number;
  /** Starts a simulator, runs the coordinator job against it, stops it; `onSim` starts the workers first. */
  measure(job: Record<string, unknown>, onSim: (baseUrl: string) => Promise<() => Promise<void>>): Promise<T>;
}): Promise<QueueFigure<T>[]> {
  const cluster = await startPgCluster();
  const figures: QueueFigure<T>[] = [];
  try {
    for (const [i, n] of o.workerCounts.entries()) {
      const admin = new pg.Client({ connectionString: cluster.url });
      await admin.connect();
      await admin.query(`CREATE DATABASE bench_${i}`);
      await admin.end();
      const url = cluster.url.replace(/\/[^/]+$/, `/bench_${i}`);
      // Workers are long-lived: two rounds of rows through each first (not timed), so the figure is of warm workers.
      const warmRows = 2 * n * o.perWorker;
      const f = await o.measure({ kind: 'batch', rows: o.rows, concurrency: 1, queue: url, warmRows }, async (baseUrl) => {
        const workers: ChildProcess[] = [];
        for (let w = 0; w < n; w++) workers.push(await startWorker({ url, baseUrl, pollMs: o.pollMs, concurrency: o.perWorker }));
        return async () => {
          for (const w of workers) {
            const gone = new Promise((r) => w.once('exit', r));
            w.kill('SIGTERM');
            await gone;
          }
        };
      });
      figures.push({ workers: n, rows: o.rows, runMs: f.runMs, rate: o.rows / (f.runMs / 1000), measured: f });
    }
  } finally {
    await cluster.stop();
  }
  return figures;
}
