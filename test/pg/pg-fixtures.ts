import { afterAll, beforeAll } from 'vitest';
import pg from 'pg';
import type { JobRecord } from '../../app/ledger';
import { createPgPool } from '../../app/server/pg/pg-pool';
import type { FakeClock } from '../fixtures/fake-clock';
import { processesOf, startPgCluster, type PgCluster } from './pg-cluster';

/**
 * One throwaway cluster for the test file: started in `beforeAll`, stopped in `afterAll` along
 * with every pool and client the file opened here (and checked to have left no process behind).
 */
export function pgClusterForFile() {
  let cluster: PgCluster | undefined;
  const pools: pg.Pool[] = [];
  const clients: pg.Client[] = [];
  let databases = 0;
  beforeAll(async () => {
    cluster = await startPgCluster();
  });
  afterAll(async () => {
    await Promise.all([...pools.map((p) => p.end().catch(() => undefined)), ...clients.map((c) => c.end().catch(() => undefined))]);
    if (!cluster) return;
    await cluster.stop();
    const left = processesOf(cluster.pid);
    if (left.length > 0) throw new Error(`The test PostgreSQL left processes running after stop: ${left.join(', ')}.`);
  });
  const current = () => {
    if (!cluster) throw new Error('The test PostgreSQL is not started (use it inside tests, after beforeAll).');
    return cluster;
  };
  return {
    cluster: current,
    /** A pool on the file's database, or on `url` (ended after the file). */
    pool(url = current().url, max = 5): pg.Pool {
      const p = createPgPool(url, { max });
      pools.push(p);
      return p;
    },
    /** A single connection of its own (another "machine"), ended after the file. */
    async client(url = current().url): Promise<pg.Client> {
      const c = new pg.Client({ connectionString: url });
      clients.push(c);
      await c.connect();
      return c;
    },
    /** A new empty database in the cluster; returns its URL. */
    async freshDatabase(): Promise<string> {
      const name = `db_${++databases}_${process.pid}`;
      const admin = new pg.Client({ connectionString: current().url });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return current().url.replace(/\/[^/]+$/, `/${name}`);
    },
  };
}

export const ENDPOINT = 'https://fake.api/v1';

/** A valid job record (an intent) with `over` applied. */
export const jobRecord = (over: Partial<JobRecord> = {}): JobRecord => ({
  v: 1,
  jobId: 'job-1',
  rev: 0,
  provider: 'fake',
  endpoint: ENDPOINT,
  model: 'm',
  nodeId: 'n1',
  cacheKey: 'k1',
  sent: { url: 'u', bodyBytes: 1, images: [], prompt: 'p', params: {} },
  referenceHashes: [],
  maxOutputs: 1,
  state: 'intent',
  partial: false,
  createdAt: 1,
  updatedAt: 1,
  outputs: [],
  ...over,
});

/**
 * Like `FakeClock.drive`, for code that also waits on real I/O (the database): while no timer is
 * pending the work is awaiting I/O, so this waits for real (at most `idleMs`); once the work
 * sleeps, virtual time jumps to its timer. Bounded in steps and in idle time.
 */
export async function driveWithIo<T>(clock: FakeClock, work: Promise<T>, options: { maxSteps?: number; idleMs?: number } = {}): Promise<T> {
  const { maxSteps = 10_000, idleMs = 15_000 } = options;
  let settled = false;
  const tracked = work.finally(() => {
    settled = true;
  });
  tracked.catch(() => undefined);
  // Settles when the work is done or is waiting on I/O again (no timer pending).
  const untilIdle = () =>
    new Promise<void>((resolve) => {
      const tick = () => (settled || clock.pending === 0 ? resolve() : setImmediate(tick));
      setImmediate(tick);
    });
  for (let step = 0; step < maxSteps; step++) {
    const until = performance.now() + idleMs;
    while (!settled && clock.pending === 0) {
      if (performance.now() > until) throw new Error(`driveWithIo: the work neither settled nor slept for ${idleMs} ms (stuck on I/O?)`);
      await new Promise((r) => setTimeout(r, 1));
    }
    if (settled) return tracked;
    await clock.drive(untilIdle());
  }
  throw new Error(`driveWithIo: gave up after ${maxSteps} steps`);
}
