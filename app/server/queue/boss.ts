import { createHash } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { Pool, PoolClient } from 'pg';

/**
 * pg-boss on the stores' own pool (one pool per process), as the delivery of batch rows. Rows
 * are never retried by pg-boss on its own judgement: a worker completes a row's job whatever
 * the row's outcome (the outcome is in `batch_rows`), and fails it only to hand the row to
 * another worker — the supervisor, for a worker whose lease ran out. pg-boss's own expiry is set
 * far out (23 h) as a last resort; liveness is the row lease's business.
 */
export interface BossOptions {
  /** pg-boss's maintenance (archive, its own expiry) runs in every process that starts it; at most one at a time. */
  supervise?: boolean;
  onError?: (e: Error) => void;
}

/** Handing a row to another worker at most this many times; then the row fails, saying why. */
export const MAX_TAKEOVERS = 5;
/** pg-boss's retries of a row's job: more than the takeovers, so pg-boss never gives up first. */
export const RETRY_LIMIT = MAX_TAKEOVERS + 2;
/** pg-boss expires an active job after this (its ceiling is 24 h); the row lease decides long before. */
export const EXPIRE_IN_SECONDS = 23 * 3600;

/** The queue of one API: workers follow jobs at the API they are pointed at, and only those. */
export function queueName(endpoint: string): string {
  return `sequence-studio-batch-${createHash('sha256').update(endpoint).digest('hex').slice(0, 16)}`;
}

/** What a row's pg-boss job carries: which row; the row itself is in `batch_rows`. */
export interface RowJobData {
  batchId: string;
  rowId: string;
}

/** pg-boss's `db` option over a pool or one client (a transaction: pg-boss's statement commits or rolls back with ours). */
export function bossDb(db: Pool | PoolClient): PgBoss.Db {
  return { executeSql: async (text, values) => db.query(text, values) };
}

/** Starts pg-boss on `pool` (installing its schema once, under its own lock) and makes sure the queue exists. */
export async function openBoss(pool: Pool, queue: string, o: BossOptions = {}): Promise<PgBoss> {
  const boss = new PgBoss({
    db: bossDb(pool),
    schedule: false,
    supervise: o.supervise ?? true,
    migrate: true,
    expireInSeconds: EXPIRE_IN_SECONDS,
    retryLimit: RETRY_LIMIT,
    retryDelay: 0,
  });
  boss.on('error', (e) => o.onError?.(e));
  // pg-boss installs its schema with CREATE SCHEMA IF NOT EXISTS, which two processes starting at
  // once can both run (one fails on the catalog's unique index): starters take turns.
  const lock = await pool.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1, $2)', [...BOSS_START_LOCK]);
    await boss.start();
    await boss.createQueue(queue, { name: queue, policy: 'standard', retryLimit: RETRY_LIMIT, retryDelay: 0, expireInSeconds: EXPIRE_IN_SECONDS });
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1, $2)', [...BOSS_START_LOCK]).catch(() => undefined);
    lock.release();
  }
  return boss;
}

/** The advisory lock under which processes start pg-boss (beside the schema migrations' lock). */
const BOSS_START_LOCK: readonly [number, number] = [0x53455153, 2];

/** Runs `work` in one transaction on a client of `pool`. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await work(client);
    await client.query('COMMIT');
    return out;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
