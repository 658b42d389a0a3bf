import { randomUUID } from 'node:crypto';
import type PgBoss from 'pg-boss';
import type { Pool } from 'pg';
import { bossDb, EXPIRE_IN_SECONDS, inTransaction, RETRY_LIMIT, type RowJobData } from './boss';
import { ROWS_CHANNEL } from './row-claims';

/**
 * The coordinator's side of `batches` / `batch_rows`: open a batch, enqueue rows (row and
 * pg-boss job in one transaction), ask the batch to stop, and read what changed.
 */

export interface BatchHeader {
  batchId: string;
  queue: string;
  endpoint: string;
  origin: string;
  mode: string;
  capUsd: number | undefined;
  repayJobIds: string[];
}

/** A row as the coordinator follows it. */
export interface RowState {
  rowId: string;
  status: 'queued' | 'running' | 'orphaned' | 'succeeded' | 'failed' | 'interrupted';
  fingerprint: string;
  jobIds: string[];
  requestIds: string[];
  costUsd: number;
  error: { code: string; message: string; nodeId?: string; requestId?: string } | null;
  note: string | null;
  takeovers: number;
  workerId: string | null;
  startedAt: number | null;
  finishedAt: number | null;
}

const ROW_COLUMNS = `row_id, status, fingerprint, job_ids, request_ids, cost_usd, error, note, takeovers, worker_id,
  (extract(epoch FROM started_at) * 1000)::float8 AS started_at, (extract(epoch FROM finished_at) * 1000)::float8 AS finished_at`;

interface RowColumns {
  row_id: string;
  status: RowState['status'];
  fingerprint: string;
  job_ids: string[];
  request_ids: string[];
  cost_usd: number;
  error: RowState['error'];
  note: string | null;
  takeovers: number;
  worker_id: string | null;
  started_at: number | null;
  finished_at: number | null;
}

const rowState = (r: RowColumns): RowState => ({
  rowId: r.row_id,
  status: r.status,
  fingerprint: r.fingerprint,
  jobIds: r.job_ids,
  requestIds: r.request_ids,
  costUsd: r.cost_usd,
  error: r.error,
  note: r.note,
  takeovers: r.takeovers,
  workerId: r.worker_id,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

/**
 * Creates the batch, or takes it up again (a re-run of the same command): the cap is this run's,
 * counting starts again from what is still reserved by rows in flight, and an earlier stop
 * request is lifted. Refuses a batch that ran against another API (its ids mean nothing here).
 */
export async function openBatch(pool: Pool, b: BatchHeader): Promise<void> {
  const { rows } = await pool.query<{ endpoint: string }>(
    `INSERT INTO batches (batch_id, queue, endpoint, origin, mode, cap_usd, repay_job_ids) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (batch_id) DO UPDATE SET cap_usd = EXCLUDED.cap_usd, repay_job_ids = EXCLUDED.repay_job_ids, stop_requested_at = NULL,
       origin = EXCLUDED.origin, mode = EXCLUDED.mode, spent_usd = 0, updated_at = now(),
       reserved_usd = (SELECT coalesce(sum(max_usd), 0) FROM batch_spend s WHERE s.batch_id = $1 AND s.settled_at IS NULL)
     WHERE batches.endpoint = EXCLUDED.endpoint
     RETURNING endpoint`,
    [b.batchId, b.queue, b.endpoint, b.origin, b.mode, b.capUsd ?? null, b.repayJobIds],
  );
  if (!rows[0]) {
    const other = await pool.query<{ endpoint: string }>('SELECT endpoint FROM batches WHERE batch_id = $1', [b.batchId]);
    throw new Error(
      `Batch ${b.batchId} in the database ran against ${other.rows[0]?.endpoint ?? 'another API'}, not ${b.endpoint}: its request ids mean nothing here. Use another --out folder for a new batch.`,
    );
  }
}

/** Every row the database has of this batch (status and fingerprint only). */
export async function rowStatuses(pool: Pool, batchId: string): Promise<Map<string, { status: RowState['status']; fingerprint: string }>> {
  const { rows } = await pool.query<{ row_id: string; status: RowState['status']; fingerprint: string }>(
    'SELECT row_id, status, fingerprint FROM batch_rows WHERE batch_id = $1',
    [batchId],
  );
  return new Map(rows.map((r) => [r.row_id, { status: r.status, fingerprint: r.fingerprint }]));
}

export interface RowToEnqueue {
  rowId: string;
  line: number;
  fingerprint: string;
  workflow: unknown;
}

/**
 * Enqueues rows: each row's record (queued, its workflow, a fresh pg-boss job id) and its
 * pg-boss job, in one transaction, so a row is never queued without a job nor a job sent for a
 * row that is not. A row already running or handed back is left as it is (it is followed, not
 * enqueued twice). Earlier runs' settled spending of a row enqueued again is kept: a row's cost is
 * what its jobs were billed over every attempt, so a job paid in a stopped run and reused now
 * still counts (the cap counts this run alone: `openBatch` starts its spent again from 0).
 */
export async function enqueueRows(pool: Pool, boss: PgBoss, queue: string, batchId: string, rows: readonly RowToEnqueue[]): Promise<void> {
  if (rows.length === 0) return;
  const jobs = rows.map((r) => ({ ...r, jobId: randomUUID() }));
  await inTransaction(pool, async (client) => {
    const { rows: written } = await client.query<{ row_id: string; boss_job_id: string }>(
      `INSERT INTO batch_rows (batch_id, row_id, line, fingerprint, workflow, status, boss_job_id)
       SELECT $1, x.row_id, x.line, x.fingerprint, x.workflow, 'queued', x.job_id::uuid
       FROM jsonb_to_recordset($2::jsonb) AS x(row_id text, line int, fingerprint text, workflow jsonb, job_id text)
       ON CONFLICT (batch_id, row_id) DO UPDATE SET line = EXCLUDED.line, fingerprint = EXCLUDED.fingerprint, workflow = EXCLUDED.workflow,
         status = 'queued', boss_job_id = EXCLUDED.boss_job_id, attempt_token = NULL, worker_id = NULL, lease_until = NULL, attempts = 0, takeovers = 0,
         job_ids = '{}', request_ids = '{}', cost_usd = 0, saves = '[]', manifest = NULL, error = NULL, note = NULL,
         started_at = NULL, finished_at = NULL, updated_at = now()
       WHERE batch_rows.status NOT IN ('running', 'orphaned')
       RETURNING row_id, boss_job_id::text`,
      [batchId, JSON.stringify(jobs.map((j) => ({ row_id: j.rowId, line: j.line, fingerprint: j.fingerprint, workflow: j.workflow, job_id: j.jobId })))],
    );
    const data = (rowId: string): RowJobData => ({ batchId, rowId });
    await boss.insert(
      written.map((w) => ({
        id: w.boss_job_id,
        name: queue,
        data: data(w.row_id),
        retryLimit: RETRY_LIMIT,
        retryDelay: 0,
        expireInSeconds: EXPIRE_IN_SECONDS,
      })),
      { db: bossDb(client) },
    );
    await client.query('SELECT pg_notify($1, $2)', [ROWS_CHANNEL, queue]);
  });
}

/**
 * Asks the batch to stop: rows not started yet are interrupted and their pg-boss jobs cancelled
 * (one transaction); workers see the request with their next heartbeat and stop their running
 * rows (queued jobs are cancelled at the API, running ones still collected).
 */
export async function requestStop(pool: Pool, boss: PgBoss, batchId: string): Promise<number> {
  return inTransaction(pool, async (client) => {
    const b = await client.query<{ queue: string }>('UPDATE batches SET stop_requested_at = now(), updated_at = now() WHERE batch_id = $1 RETURNING queue', [
      batchId,
    ]);
    const { rows } = await client.query<{ job: string | null }>(
      `UPDATE batch_rows SET status = 'interrupted', finished_at = now(), updated_at = now(), attempt_token = NULL, lease_until = NULL,
         error = jsonb_build_object('code', 'aborted', 'message', 'The batch was stopped before this row started.')
       WHERE batch_id = $1 AND status IN ('queued', 'orphaned') RETURNING boss_job_id::text AS job`,
      [batchId],
    );
    const ids = rows.flatMap((r) => (r.job ? [r.job] : []));
    if (ids.length && b.rows[0]) await boss.cancel(b.rows[0].queue, ids, { db: bossDb(client) });
    return ids.length;
  });
}

/**
 * Rows of the batch that changed since `sinceDbMs` (database ms; overlapping reads are expected:
 * a transaction's `now()` is its start, so a late commit would otherwise be missed), with the
 * database's time of this read for the next one.
 */
export async function changedRows(pool: Pool, batchId: string, sinceDbMs: number): Promise<{ rows: RowState[]; dbNow: number }> {
  const { rows } = await pool.query<RowColumns & { db_now: number }>(
    `SELECT ${ROW_COLUMNS}, (extract(epoch FROM now()) * 1000)::float8 AS db_now
     FROM batch_rows WHERE batch_id = $1 AND updated_at >= to_timestamp($2::float8 / 1000)`,
    [batchId, sinceDbMs],
  );
  const dbNow = rows[0]?.db_now ?? (await pool.query<{ ms: number }>('SELECT (extract(epoch FROM now()) * 1000)::float8 AS ms')).rows[0]!.ms;
  return { rows: rows.map(rowState), dbNow };
}

/** The batch's spending as the workers counted it. */
export async function batchSpend(pool: Pool, batchId: string): Promise<{ spentUsd: number; reservedUsd: number; capUsd?: number } | undefined> {
  const { rows } = await pool.query<{ spent_usd: number; reserved_usd: number; cap_usd: number | null }>(
    'SELECT spent_usd, reserved_usd, cap_usd FROM batches WHERE batch_id = $1',
    [batchId],
  );
  const r = rows[0];
  return r && { spentUsd: r.spent_usd, reservedUsd: r.reserved_usd, ...(r.cap_usd !== null ? { capUsd: r.cap_usd } : {}) };
}

/** What a finished row's folder is made of. */
export async function rowResult(pool: Pool, batchId: string, rowId: string): Promise<{ workflow: unknown; saves: unknown; manifest: unknown } | undefined> {
  const { rows } = await pool.query<{ workflow: unknown; saves: unknown; manifest: unknown }>(
    'SELECT workflow, saves, manifest FROM batch_rows WHERE batch_id = $1 AND row_id = $2',
    [batchId, rowId],
  );
  return rows[0];
}
