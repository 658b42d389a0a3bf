import { join, resolve } from 'node:path';
import type PgBoss from 'pg-boss';
import type { Pool } from 'pg';
import { boundedPollPolicy, type PollPolicy } from '../../api/poll-policy';
import { RunComfyClient, RunComfyProvider } from '../../api/runcomfy';
import { RunTimeModel } from '../../api/run-time-model';
import { MemoryCache } from '../../engine/cache';
import { JobLedger, type JobLedgerOptions, type JobRecord, type LedgerStore } from '../../ledger';
import { realClock } from '../../lib/clock';
import { cliRepayHint, type CliServices } from '../cli/cli-services';
import { fetchHttpsImage } from '../cli/remote-image';
import { FileRunTimeStore } from '../file-run-time-store';
import { localOwnerAlive, processOwner } from '../owner-liveness';
import { DbClock } from '../pg/db-clock';
import { migrate } from '../pg/migrations';
import { PgAssetStore } from '../pg/pg-asset-store';
import { PgLedgerStore } from '../pg/pg-ledger-store';
import { createPgPool } from '../pg/pg-pool';
import { openBoss, queueName } from './boss';

export interface QueueServiceOptions {
  /** `postgres://…` of the queue's database. */
  url: string;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Worker: where learned run times are kept between runs (optional). */
  cacheDir?: string | undefined;
  fetch?: typeof fetch;
  pollPolicy?: PollPolicy;
  deadlineMs?: number;
  /** Worker: job leases (database time), default 30 s. */
  leaseMs?: number;
  /** Connections at most (default 10). */
  poolSize?: number;
  stderr(text: string): void;
}

/** A coordinator's or a worker's services: the CLI's, on PostgreSQL, plus the queue. */
export interface QueueServices extends CliServices {
  pool: Pool;
  boss: PgBoss;
  queue: string;
  assets: PgAssetStore;
  /** The ids of earlier jobs the user chose to pay again for (`--repay`): workers are told. */
  repayAllowed(): string[];
  /** Database time. */
  clock: DbClock;
  owner: { id: string; host: string; pid: number };
}

/** The database URL without its password, for messages. */
export const shownUrl = (url: string): string => url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');

/**
 * A ledger that follows nothing itself: the coordinator's. It answers lookups (cost first, the
 * checks) and reads records, but its `recover` finds no unfinished jobs to take over — workers
 * follow jobs, and one a dead worker left is re-attached by the worker that takes its row over.
 * It remembers which jobs the user chose to pay again for, so the workers can be told.
 */
class CoordinatorLedger extends JobLedger {
  private readonly allowed = new Set<string>();
  override allowRepay(jobId: string): void {
    this.allowed.add(jobId);
    super.allowRepay(jobId);
  }
  allowedRepays(): string[] {
    return [...this.allowed];
  }
}

const lookupOnly = (store: LedgerStore): LedgerStore => ({
  put: (r) => store.put(r),
  get: (id) => store.get(id),
  byCacheKey: (k) => store.byCacheKey(k),
  unfinished: async (): Promise<JobRecord[]> => [],
  list: async (): Promise<JobRecord[]> => [],
});

/**
 * Opens the database (schema brought up to date, pg-boss started, the API's queue created) and
 * the services of one process: image bytes in PostgreSQL, the job ledger in PostgreSQL with
 * leases on database time, the RunComfy provider from RUNCOMFY_API_TOKEN / RUNCOMFY_BASE_URL.
 * `role` says whose: the coordinator (`batch --queue`: checks and follows) or a worker.
 */
export async function openQueueServices(o: QueueServiceOptions, role: 'coordinator' | 'worker'): Promise<QueueServices> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const pool = createPgPool(o.url, {
      max: o.poolSize ?? 10,
      applicationName: `sequence-studio-${role}`,
      onError: (e) => o.stderr(`warning: a PostgreSQL connection broke (${e.message}); reconnecting.`),
    });
    cleanups.push(() => pool.end());
    try {
      await migrate(pool);
    } catch (e) {
      throw new Error(`Could not open the queue database ${shownUrl(o.url)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    const clock = await new DbClock(pool).start();
    cleanups.push(async () => clock.stop());
    const fetchImpl = o.fetch ?? fetch;
    const fetchRemote = (url: string, signal?: AbortSignal) => fetchHttpsImage(url, { fetch: fetchImpl, signal });
    const assets = new PgAssetStore(pool, fetchRemote);
    const client = new RunComfyClient({
      baseUrl: o.env.RUNCOMFY_BASE_URL?.trim() || undefined,
      token: o.env.RUNCOMFY_API_TOKEN?.trim() || undefined,
      ...(o.fetch ? { fetch: o.fetch } : {}),
    });
    const provider = new RunComfyProvider({ client, assets, fetchReference: fetchRemote, ...(o.fetch ? { download: { fetch: o.fetch } } : {}) });
    const queue = queueName(provider.endpoint);
    const boss = await openBoss(pool, queue, { supervise: role === 'worker', onError: (e) => o.stderr(`warning: pg-boss: ${e.message}`) });
    cleanups.push(() => boss.stop({ graceful: false, close: false, wait: true, timeout: 1_000 }));

    const store = new PgLedgerStore(pool, { onUnreadable: (u) => o.stderr(`warning: ledger row ${u.jobId} is not a job record (${u.problem}); skipped.`) });
    const runTimeStore = o.cacheDir ? new FileRunTimeStore(resolve(o.cwd, o.cacheDir)) : undefined;
    const runTimes = RunTimeModel.from(runTimeStore ? await runTimeStore.load() : undefined);
    if (runTimeStore) cleanups.push(() => runTimeStore.save(runTimes.snapshot()));
    const owner = processOwner(role);
    const ledgerOptions: JobLedgerOptions = {
      store: role === 'worker' ? store : lookupOnly(store),
      provider,
      assets,
      clock: realClock,
      wallNow: clock.wallNow,
      owner,
      isOwnerAlive: localOwnerAlive,
      leaseMs: o.leaseMs ?? 30_000,
      policy: o.pollPolicy ?? boundedPollPolicy(runTimes),
      learner: runTimes,
      onStop: 'collect',
      repayHint: cliRepayHint,
      ...(o.deadlineMs !== undefined ? { deadlineMs: o.deadlineMs } : {}),
      log: (level, message) => o.stderr(`${level}: ${message}`),
    };
    const ledger = role === 'coordinator' ? new CoordinatorLedger(ledgerOptions) : new JobLedger(ledgerOptions);
    return {
      mode: 'runcomfy',
      cacheDir: o.cacheDir ? join(resolve(o.cwd, o.cacheDir)) : shownUrl(o.url),
      persistent: true,
      assets,
      cache: new MemoryCache(),
      ledger,
      provider,
      pool,
      boss,
      queue,
      clock,
      owner,
      repayAllowed: () => (ledger instanceof CoordinatorLedger ? ledger.allowedRepays() : []),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
