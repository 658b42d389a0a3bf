import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { boundedPollPolicy, type PollPolicy } from '../../api/poll-policy';
import { RunComfyClient, RunComfyProvider } from '../../api/runcomfy';
import { DEFAULT_BASE_URL } from '../../api/runcomfy/client';
import { RunTimeModel } from '../../api/run-time-model';
import type { CacheStore } from '../../engine/cache';
import type { AssetStore } from '../../graph/node-definition';
import { JobLedger, type RepayHint } from '../../ledger';
import { stableHash } from '../../lib/hash';
import { realClock } from '../../lib/clock';
import { FileAssetStore } from '../file-asset-store';
import { FileCacheStore } from '../file-cache-store';
import { FileLedgerStore } from '../file-ledger-store';
import { FileRunTimeStore } from '../file-run-time-store';
import { processOwner } from '../owner-liveness';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../simulator';
import { fetchHttpsImage } from './remote-image';

export interface CliServiceOptions {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  cacheDir?: string | undefined;
  simulate: boolean;
  fetch?: typeof fetch;
  simulator?: SimulatorOptions;
  pollPolicy?: PollPolicy;
  /** Ledger: how long to follow a job without a definitive answer (default 30 min). */
  deadlineMs?: number;
  stderr(text: string): void;
}

/** Everything a CLI command runs with: one ledger, one asset store, one cache, one provider. */
export interface CliServices {
  mode: 'simulator' | 'runcomfy';
  /** Where the ledger, assets and results live. */
  cacheDir: string;
  /** Whether `cacheDir` outlives this process (not a temp dir). */
  persistent: boolean;
  /** Image bytes: files under the cache dir, or PostgreSQL for a queue (every machine reads them). */
  assets: AssetStore;
  cache: CacheStore;
  ledger: JobLedger;
  provider: RunComfyProvider;
  close(): Promise<void>;
}

/** The CLI's message for paying again for an earlier attempt: the flag that names it. */
export const cliRepayHint: RepayHint = (jobId) => `run again with --repay ${jobId}`;

/**
 * The default cache dir for real runs: the ledger must outlive the process, so a run killed while
 * its submit is in flight is reported (never paid again) by the next one, even without --cache-dir.
 */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  if (env.SEQUENCE_STUDIO_CACHE?.trim()) return resolve(cwd, env.SEQUENCE_STUDIO_CACHE.trim());
  const base = env.XDG_CACHE_HOME?.trim() || join(homedir(), '.cache');
  return join(base, 'sequence-studio');
}

/**
 * Builds the services of one CLI process. Real runs use `--cache-dir` or the default cache dir;
 * `--simulate` without `--cache-dir` uses a temp dir (the in-process simulator dies with the
 * process, so its jobs could not be collected later anyway). Results are kept per API (a
 * simulator's placeholders never stand in for Seedream's images).
 */
export async function openCliServices(o: CliServiceOptions): Promise<CliServices> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    let cacheDir: string;
    let persistent = true;
    if (o.cacheDir) cacheDir = resolve(o.cwd, o.cacheDir);
    else if (!o.simulate) cacheDir = defaultCacheDir(o.env, o.cwd);
    else {
      cacheDir = await mkdtemp(join(tmpdir(), 'sequence-studio-'));
      persistent = false;
      cleanups.push(() => rm(cacheDir, { recursive: true, force: true }));
    }

    let baseUrl = o.env.RUNCOMFY_BASE_URL?.trim() || undefined;
    let token = o.env.RUNCOMFY_API_TOKEN?.trim() || undefined;
    let sim: SimulatorHandle | undefined;
    if (o.simulate) {
      token = randomBytes(16).toString('hex');
      sim = await startSimulator({ timeScale: 0.5, outputScale: 0.25, controlRoutes: false, ...o.simulator, token });
      cleanups.push(() => sim!.close());
      baseUrl = sim.baseUrl;
      o.stderr(`Simulator at ${sim.baseUrl}: outputs are placeholders marked SIMULATED, not Seedream, and cost nothing.`);
    }
    const fetchImpl = o.fetch ?? fetch;
    const assets = new FileAssetStore(join(cacheDir, 'assets'), (url, signal) => fetchHttpsImage(url, { fetch: fetchImpl, signal }));
    const client = new RunComfyClient({ baseUrl, token, ...(o.fetch ? { fetch: o.fetch } : {}) });
    const provider = new RunComfyProvider({
      client,
      assets,
      fetchReference: (url, signal) => fetchHttpsImage(url, { fetch: fetchImpl, signal }),
      ...(o.fetch ? { download: { fetch: o.fetch } } : {}),
    });
    const apiTag = o.simulate ? 'simulator' : client.baseUrl === DEFAULT_BASE_URL ? 'runcomfy' : `api-${stableHash(client.baseUrl).slice(0, 12)}`;
    const cache = new FileCacheStore(join(cacheDir, 'results', apiTag), assets);

    const opened = await FileLedgerStore.open(cacheDir, { endpoint: provider.endpoint });
    cleanups.push(() => opened.store.close());
    for (const u of opened.unreadable) o.stderr(`warning: ledger file ${u.file} is not a job record (${u.problem}); left in place.`);
    if (opened.migrated) o.stderr(`Carried ${opened.migrated} request id(s) over from the old request journal.`);

    const runTimeStore = new FileRunTimeStore(cacheDir);
    const runTimes = RunTimeModel.from(await runTimeStore.load());
    cleanups.push(() => runTimeStore.save(runTimes.snapshot()));
    const ledger = new JobLedger({
      store: opened.store,
      provider,
      assets,
      clock: realClock,
      owner: processOwner('cli'),
      // This process holds the cache dir's lock, so no other process follows its jobs: an owner
      // recorded by an earlier run is gone, even if its pid now belongs to something else.
      isOwnerAlive: () => false,
      policy: o.pollPolicy ?? boundedPollPolicy(runTimes),
      // Saved after finished jobs (at most once a second) and at exit: a run killed later loses at most that second's learning.
      learner: {
        observe: (factors, runMs) => {
          runTimes.observe(factors, runMs);
          void runTimeStore.saveSoon(() => runTimes.snapshot());
        },
      },
      onStop: 'detach',
      repayHint: cliRepayHint,
      ...(o.deadlineMs !== undefined ? { deadlineMs: o.deadlineMs } : {}),
      log: (level, message) => o.stderr(`${level}: ${message}`),
    });
    return { mode: o.simulate ? 'simulator' : 'runcomfy', cacheDir, persistent, assets, cache, ledger, provider, close };
  } catch (e) {
    await close();
    throw e;
  }
}
