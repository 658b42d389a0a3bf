import type PgBoss from 'pg-boss';
import type { Pool } from 'pg';
import { settleAbandoned } from '../pg/pg-spend-book';
import { bossDb, inTransaction, MAX_TAKEOVERS } from './boss';

/**
 * A worker's side of `batch_rows`. A row is run under an attempt token: the claim sets it, the
 * heartbeat renews the row's lease only while it is still the row's token, and every write of
 * the row's progress and outcome is guarded by it — so a worker that lost its row (it stopped
 * answering and the row was handed to another) can never overwrite the new attempt. Completing
 * or failing the row's pg-boss job happens in the same transaction as the row write that
 * justifies it. Lease times are the database's (`now()`): machines' clocks may disagree.
 */

/** A row this worker now runs. */
export interface ClaimedRow {
  batchId: string;
  rowId: string;
  line: number;
  fingerprint: string;
  workflow: unknown;
  origin: string;
  mode: string;
  endpoint: string;
  repayJobIds: string[];
  /** How often this row was started before (a takeover re-attaches to what they left). */
  attempts: number;
}

/** Why a delivered job was not run here. */
export type ClaimRefusal = 'finished' | 'stopped' | 'running-elsewhere' | 'superseded' | 'missing';

/** `now()` plus the milliseconds in parameter `$n`. */
const later = (n: number) => `now() + $${n}::float8 * interval '1 millisecond'`;

/**
 * Claims the row a delivered pg-boss job names, if it is still waiting for this very job and its
 * batch is not being stopped. A job that need not run (the row finished, was re-enqueued under
 * another job, or its batch was stopped) is completed here and the reason returned; a row that
 * another living worker runs (pg-boss expired its job after 23 h) is left to it. A handover's note
 * stays on the row when the next worker claims it, so a coordinator that reads the row only after
 * the claim still says why the row moved.
 */
export async function claimRow(
  pool: Pool,
  boss: PgBoss,
  o: { queue: string; bossJobId: string; batchId: string; rowId: string; token: string; workerId: string; leaseMs: number },
): Promise<{ claimed: ClaimedRow } | { refused: ClaimRefusal }> {
  const { rows } = await pool.query(
    `UPDATE batch_rows r SET status = 'running', attempt_token = $4, worker_id = $5, lease_until = ${later(6)},
       attempts = r.attempts + 1, started_at = coalesce(r.started_at, now()), updated_at = now()
     FROM batches b
     WHERE r.batch_id = $1 AND r.row_id = $2 AND r.boss_job_id = $3 AND r.status IN ('queued', 'orphaned')
       AND b.batch_id = r.batch_id AND b.stop_requested_at IS NULL
     RETURNING r.line, r.fingerprint, r.workflow, r.attempts, b.origin, b.mode, b.endpoint, b.repay_job_ids`,
    [o.batchId, o.rowId, o.bossJobId, o.token, o.workerId, o.leaseMs],
  );
  const r = rows[0];
  if (r) {
    return {
      claimed: {
        batchId: o.batchId,
        rowId: o.rowId,
        line: r.line,
        fingerprint: r.fingerprint,
        workflow: r.workflow,
        origin: r.origin,
        mode: r.mode,
        endpoint: r.endpoint,
        repayJobIds: r.repay_job_ids,
        attempts: r.attempts - 1,
      },
    };
  }
  return inTransaction(pool, async (client) => {
    const now = await client.query(
      `SELECT r.status, r.boss_job_id::text AS job, b.stop_requested_at IS NOT NULL AS stopping
       FROM batch_rows r JOIN batches b USING (batch_id) WHERE r.batch_id = $1 AND r.row_id = $2 FOR UPDATE OF r`,
      [o.batchId, o.rowId],
    );
    const row = now.rows[0] as { status: string; job: string | null; stopping: boolean } | undefined;
    let refused: ClaimRefusal;
    if (!row) refused = 'missing';
    else if (row.job !== o.bossJobId) refused = 'superseded';
    else if (row.status === 'running') return { refused: 'running-elsewhere' as const };
    else if (row.status === 'queued' || row.status === 'orphaned') {
      await client.query(
        `UPDATE batch_rows SET status = 'interrupted', finished_at = now(), updated_at = now(),
           error = jsonb_build_object('code', 'aborted', 'message', 'The batch was stopped before this row started.')
         WHERE batch_id = $1 AND row_id = $2`,
        [o.batchId, o.rowId],
      );
      await notify(client, o.batchId);
      refused = 'stopped';
    } else refused = 'finished';
    await boss.complete(o.queue, o.bossJobId, { skipped: refused }, { db: bossDb(client) });
    return { refused };
  });
}

/** Renews the leases of rows this worker runs; returns the tokens it still holds and those whose batch asks to stop. */
export async function heartbeatRows(pool: Pool, tokens: readonly string[], leaseMs: number): Promise<{ held: Set<string>; stop: Set<string> }> {
  const held = new Set<string>();
  const stop = new Set<string>();
  if (tokens.length === 0) return { held, stop };
  const { rows } = await pool.query<{ token: string; stop: boolean }>(
    `UPDATE batch_rows r SET lease_until = ${later(2)}
     FROM batches b WHERE r.attempt_token = ANY($1) AND r.status = 'running' AND b.batch_id = r.batch_id
     RETURNING r.attempt_token AS token, b.stop_requested_at IS NOT NULL AS stop`,
    [tokens, leaseMs],
  );
  for (const r of rows) {
    held.add(r.token);
    if (r.stop) stop.add(r.token);
  }
  return { held, stop };
}

/** Records a job (and its request id once known) of the row at once, so neither is lost if this worker dies next. */
export async function noteRowJob(pool: Pool, token: string, jobId: string, requestId: string | undefined): Promise<void> {
  await pool.query(
    `UPDATE batch_rows SET
       job_ids = CASE WHEN $2 = ANY(job_ids) THEN job_ids ELSE job_ids || $2 END,
       request_ids = CASE WHEN $3::text IS NULL OR $3 = ANY(request_ids) THEN request_ids ELSE request_ids || $3::text END,
       updated_at = now()
     WHERE attempt_token = $1 AND status = 'running'`,
    [token, jobId, requestId ?? null],
  );
}

/** What a finished attempt writes. */
export interface RowFinish {
  status: 'succeeded' | 'failed' | 'interrupted';
  error?: { code: string; message: string; nodeId?: string; requestId?: string };
  /** Save calls in order: the coordinator writes them with the same sink a single run uses. */
  saves: unknown[];
  manifest: unknown;
  jobIds: string[];
  requestIds: string[];
}

/**
 * Writes the attempt's outcome and completes the row's pg-boss job, in one transaction, only if
 * `token` is still the row's. Returns false when the row was handed to another worker meanwhile
 * (nothing is written: the other attempt's outcome counts). The row's cost is what its settled
 * reservations add up to, over every attempt.
 */
export async function finishRow(pool: Pool, boss: PgBoss, queue: string, bossJobId: string, token: string, f: RowFinish): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ batch_id: string }>(
      `UPDATE batch_rows r SET status = $2, error = $3::jsonb, saves = $4::jsonb, manifest = $5::jsonb,
         job_ids = r.job_ids || ARRAY(SELECT x FROM unnest($6::text[]) x WHERE NOT x = ANY(r.job_ids)),
         request_ids = r.request_ids || ARRAY(SELECT x FROM unnest($7::text[]) x WHERE NOT x = ANY(r.request_ids)),
         cost_usd = (SELECT coalesce(sum(s.cost_usd), 0) FROM batch_spend s WHERE s.batch_id = r.batch_id AND s.row_id = r.row_id AND s.settled_at IS NOT NULL),
         attempt_token = NULL, lease_until = NULL, finished_at = now(), updated_at = now()
       WHERE r.attempt_token = $1 AND r.status = 'running'
       RETURNING r.batch_id, pg_notify($8, r.batch_id)`,
      [token, f.status, f.error ? JSON.stringify(f.error) : null, JSON.stringify(f.saves), JSON.stringify(f.manifest), f.jobIds, f.requestIds, BATCH_CHANNEL],
    );
    // The coordinator is told in the same statement (a notification is sent when the transaction commits).
    if (!rows[0]) return false;
    await boss.complete(queue, bossJobId, { status: f.status }, { db: bossDb(client) });
    return true;
  });
}

/** A row handed to another worker: by the supervisor (its worker stopped answering) or by a worker that is shutting down. */
export interface HandedBack {
  batchId: string;
  rowId: string;
  fromWorker: string;
  /** The row failed instead: it was handed over more than MAX_TAKEOVERS times. */
  gaveUp: boolean;
}

/**
 * The supervisor's one step, run by every worker: claims rows whose lease ran out (database
 * time), at most `limit`, skipping rows another supervisor is claiming (SKIP LOCKED), marks them
 * `orphaned`, counts their dead attempts' open reservations as spent at their maximum, and fails
 * their pg-boss jobs so pg-boss delivers them again at once (retryDelay 0) — all in one
 * transaction. A row handed over more than MAX_TAKEOVERS times fails instead (its job is
 * cancelled). The next worker to run it re-attaches, through the ledger, to what was submitted.
 * `tokens` narrows it to those attempts (a worker handing back its own rows when it stops).
 */
export async function handBackRows(pool: Pool, boss: PgBoss, o: { limit?: number; tokens?: readonly string[]; reason?: string } = {}): Promise<HandedBack[]> {
  return inTransaction(pool, async (client) => {
    const which = o.tokens ? 'r.attempt_token = ANY($3::text[])' : 'r.lease_until < now() AND $3::text[] IS NULL';
    const { rows } = await client.query<{
      batch_id: string;
      row_id: string;
      status: string;
      token: string;
      worker: string;
      job: string | null;
      queue: string;
    }>(
      `WITH dead AS (
         SELECT r.batch_id, r.row_id, r.attempt_token, r.worker_id, r.boss_job_id, r.takeovers, r.lease_until, b.queue
         FROM batch_rows r JOIN batches b USING (batch_id)
         WHERE r.status = 'running' AND ${which}
         ORDER BY r.lease_until LIMIT $1
         FOR UPDATE OF r SKIP LOCKED
       )
       UPDATE batch_rows r SET
         status = CASE WHEN dead.takeovers + 1 > $2 THEN 'failed' ELSE 'orphaned' END,
         takeovers = dead.takeovers + 1, attempt_token = NULL, lease_until = NULL, updated_at = now(),
         note = format('Worker %s %s at %s; the row was handed to another worker (nothing is submitted again: its jobs are re-attached).',
                       dead.worker_id, $4::text, to_char((CASE WHEN $3::text[] IS NULL THEN dead.lease_until ELSE now() END) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
         error = CASE WHEN dead.takeovers + 1 > $2 THEN jsonb_build_object('code', 'worker-lost',
                   'message', format('Handed from worker to worker %s times (each stopped answering); given up. Its jobs are in the ledger: run the batch again to collect them without paying twice.', dead.takeovers + 1))
                 ELSE r.error END,
         finished_at = CASE WHEN dead.takeovers + 1 > $2 THEN now() ELSE r.finished_at END
       FROM dead WHERE r.batch_id = dead.batch_id AND r.row_id = dead.row_id
       RETURNING r.batch_id, r.row_id, r.status, dead.attempt_token AS token, dead.worker_id AS worker, dead.boss_job_id::text AS job, dead.queue`,
      [o.limit ?? 100, MAX_TAKEOVERS, o.tokens ?? null, o.reason ?? 'stopped answering: its lease ran out'],
    );
    if (rows.length === 0) return [];
    await settleAbandoned(
      client,
      rows.map((r) => r.token),
    );
    for (const r of rows) {
      if (!r.job) continue;
      if (r.status === 'failed') await boss.cancel(r.queue, r.job, { db: bossDb(client) });
      else await boss.fail(r.queue, r.job, { handedBack: r.worker }, { db: bossDb(client) });
    }
    for (const b of new Set(rows.map((r) => r.batch_id))) await notify(client, b);
    for (const q of new Set(rows.map((r) => r.queue))) await client.query('SELECT pg_notify($1, $2)', [ROWS_CHANNEL, q]);
    return rows.map((r) => ({ batchId: r.batch_id, rowId: r.row_id, fromWorker: r.worker, gaveUp: r.status === 'failed' }));
  });
}

/** The channel a coordinator listens on to hear of its rows at once (it polls too). */
export const BATCH_CHANNEL = 'sequence_studio_batch';
/** The channel idle workers listen on to hear of rows to take at once (they poll pg-boss too); the payload is the queue. */
export const ROWS_CHANNEL = 'sequence_studio_rows';

async function notify(client: { query(text: string, values: unknown[]): Promise<unknown> }, batchId: string): Promise<void> {
  await client.query('SELECT pg_notify($1, $2)', [BATCH_CHANNEL, batchId]);
}
