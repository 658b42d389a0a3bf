import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { parseBatchSummary, type BatchSummary } from '../../app/batch';
import { connectSimulator } from '../../app/server/simulator';
import { pngBytes } from '../server/cli/cli-fixtures';
import { spawnCli, type CliProcess } from '../server/cli/cli-process';
import { spawnSimulator, type SimulatorProcess } from '../server/simulator-process';

/**
 * A queue test's world: a simulator in its own process, workers and coordinators as child
 * processes (`node --import tsx app/server/cli.ts worker|batch …`, so kill -9 is real), all on
 * one throwaway PostgreSQL. Everything started here is stopped after each test.
 */
const started: { stop(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const s of started.splice(0).reverse()) await s.stop();
});

/** Lease for test workers: a dead worker's rows move on within about 3 s (+ the supervisor's and fetch's 0.5 s). */
export const TEST_LEASE_SECONDS = 3;

export async function queueSimulator(
  args: string[] = [],
): Promise<{ url: string; apiBaseUrl: string; token: string; remote: ReturnType<typeof connectSimulator> }> {
  const p: SimulatorProcess = await spawnSimulator(['--port', '0', '--token', 'tok', '--output-scale', '0.03', ...args]);
  started.push({ stop: () => p.stop() });
  return { url: p.url, apiBaseUrl: `${p.url}/v1`, token: 'tok', remote: connectSimulator(p.url) };
}

export type Sim = Awaited<ReturnType<typeof queueSimulator>>;

function track(p: CliProcess): CliProcess {
  started.push({
    stop: async () => {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await p.exited;
    },
  });
  return p;
}

/** A worker process on the queue at `url`. */
export function spawnWorker(url: string, sim: Sim, extra: string[] = []): CliProcess {
  return track(spawnCli(['worker', '--queue', url, '--lease-seconds', String(TEST_LEASE_SECONDS), '--concurrency', '2', ...extra], sim));
}

/** A coordinator process: `batch <template> --rows <rows> --out <out> --queue <url>`. */
export function spawnCoordinator(url: string, sim: Sim, dir: string, extra: string[] = [], template = 'character-scenes'): CliProcess {
  return track(spawnCli(['batch', template, '--rows', join(dir, 'rows.csv'), '--out', join(dir, 'out'), '--queue', url, ...extra], sim));
}

/** A temp folder with `ref.png` and a rows file of `n` rows for the character-scenes template (one image per row unless said). */
export async function batchDir(n: number, images = 1): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'queue-test-'));
  started.push({ stop: () => rm(dir, { recursive: true, force: true }) });
  await writeFile(join(dir, 'ref.png'), pngBytes());
  const lines = [
    'id,character,scenes,maxImages',
    ...Array.from({ length: n }, (_, i) => `r${i + 1},ref.png,Generate ${images} images of scene ${i + 1},${images}`),
  ];
  await writeFile(join(dir, 'rows.csv'), `${lines.join('\n')}\n`);
  return dir;
}

export async function readSummary(dir: string): Promise<BatchSummary> {
  const parsed = parseBatchSummary(JSON.parse(await readFile(join(dir, 'out', 'batch.json'), 'utf8')));
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.summary;
}

/** PNG files in a row's folder. */
export async function rowImages(dir: string, rowId: string): Promise<string[]> {
  return (await readdir(join(dir, 'out', rowId)).catch(() => [] as string[])).filter((f) => f.endsWith('.png')).sort();
}

/** Polls `probe` every 50 ms until it returns a value, at most `timeoutMs`. */
export async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
