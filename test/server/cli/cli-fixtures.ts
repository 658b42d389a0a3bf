import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { afterEach } from 'vitest';
import { fixedPollPolicy } from '../../../app/api/poll-policy';
import { runCli, type CliDeps } from '../../../app/server/cli/run-cli';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../../app/server/simulator';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A temp folder removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cli-test-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a small gradient PNG and returns its path. */
export async function writePng(dir: string, name = 'ref.png', width = 48, height = 32): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, pngBytes(width, height));
  return path;
}

/** A small valid PNG (gradient), as bytes. */
export function pngBytes(width = 48, height = 32): Uint8Array {
  const data = new Uint8Array(width * height * 3).map((_, i) => (i * 13) % 256);
  return encode({ width, height, data, channels: 3, depth: 8 });
}

/**
 * A `fetch` for the CLI with no network: https URLs are answered from `files` (a small PNG for
 * every sample image of the built-in templates by default; 404 for any other https URL); loopback
 * URLs (the simulator) go to the real fetch. `requests` lists the https URLs asked for.
 */
export function fakeFetch(files: ReadonlyMap<string, Uint8Array | number> = new Map()): typeof fetch & { requests: string[] } {
  const requests: string[] = [];
  const f = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith('https://')) return fetch(input, init);
    requests.push(url);
    const known = files.get(url) ?? (SAMPLE_HOST.test(url) ? pngBytes() : 404);
    if (typeof known === 'number') return new Response('not found', { status: known });
    return new Response(known.slice(), { status: 200, headers: { 'content-type': 'image/png' } });
  };
  return Object.assign(f as typeof fetch, { requests });
}

/** Where the built-in templates' sample images live (RunComfy's public storage). */
const SAMPLE_HOST = /^https:\/\/playgrounds-storage-public\.runcomfy\.net\//;

/** Fast simulator settings: jobs take tens of milliseconds; frames are tiny. */
export const FAST_SIM: SimulatorOptions = { timeScale: 0.01, outputScale: 1 / 32, controlRoutes: false };

/** A simulator the test controls (faults, counts), behind a token like the real API. */
export async function simulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const sim = await startSimulator({ ...FAST_SIM, token: 'test-token', ...options });
  cleanups.push(() => sim.close());
  return sim;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output; `env` points it at `sim` unless overridden. */
export async function cli(
  argv: string[],
  o: { cwd: string; sim?: SimulatorHandle; env?: CliDeps['env']; signal?: AbortSignal; settleMs?: number; fetch?: typeof fetch },
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  // Real runs default to ~/.cache/sequence-studio: each test gets its own instead.
  const env = o.env ?? (o.sim ? { RUNCOMFY_API_TOKEN: 'test-token', RUNCOMFY_BASE_URL: o.sim.baseUrl, SEQUENCE_STUDIO_CACHE: join(o.cwd, '.cache') } : {});
  const code = await runCli({
    argv,
    env,
    cwd: o.cwd,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    ...(o.signal ? { signal: o.signal } : {}),
    fetch: o.fetch ?? fakeFetch(),
    simulator: FAST_SIM,
    pollPolicy: fixedPollPolicy(25),
    settleMs: o.settleMs ?? 5_000,
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}
