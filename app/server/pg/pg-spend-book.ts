import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { SpendBook, SpendState } from '../../batch';
import { realClock, type Clock } from '../../lib/clock';

/** Which attempt of which row a book reserves for (a dead attempt's reservations are settled by whoever takes the row over). */
export interface SpendAttempt {
  batchId: string;
  rowId: string;
  attemptToken: string;
}

interface Counts {
  spent_usd: number;
  reserved_usd: number;
  cap_usd: number | null;
}

const RESERVE = `
WITH b AS (
  UPDATE batches SET reserved_usd = reserved_usd + $2, updated_at = now()
  WHERE batch_id = $1 AND (cap_usd IS NULL OR spent_usd + reserved_usd + $2 <= cap_usd + 1e-9)
  RETURNING batch_id, spent_usd, reserved_usd, cap_usd
), r AS (
  INSERT INTO batch_spend (reservation_id, batch_id, row_id, attempt_token, max_usd)
  SELECT $3, batch_id, $4, $5, $2 FROM b
)
SELECT spent_usd, reserved_usd, cap_usd FROM b`;

const SETTLE = `
WITH s AS (
  UPDATE batch_spend SET settled_at = now(), cost_usd = $2 WHERE reservation_id = $1 AND settled_at IS NULL RETURNING batch_id, max_usd
)
UPDATE batches b SET reserved_usd = greatest(0, b.reserved_usd - s.max_usd), spent_usd = b.spent_usd + $2, updated_at = now()
FROM s WHERE b.batch_id = s.batch_id
RETURNING b.spent_usd, b.reserved_usd, b.cap_usd`;

const COUNTS = 'SELECT spent_usd, reserved_usd, cap_usd FROM batches WHERE batch_id = $1';

const stateOf = (c: Counts | undefined, fallback: SpendState): SpendState =>
  c ? { spentUsd: c.spent_usd, reservedUsd: c.reserved_usd, capUsd: c.cap_usd ?? undefined } : fallback;

/**
 * The spend cap of one batch, shared by every worker of the queue (`batches` and
 * `batch_spend`). A reservation is one statement that adds to `reserved_usd` only if spent +
 * reserved + it stays within the cap (the row lock on the batch serialises workers), and
 * records the reservation with the attempt that made it; a settle moves it from reserved to
 * spent once. A worker that dies holding reservations leaves them to `settleAbandoned`, which
 * counts them as spent at their maximum (errs high, never low). Other workers' settles are seen
 * by polling every `pollMs`.
 */
export class PgSpendBook implements SpendBook {
  private last: SpendState = { spentUsd: 0, reservedUsd: 0, capUsd: undefined };

  constructor(
    private readonly pool: Pool,
    private readonly attempt: SpendAttempt,
    private readonly o: { pollMs?: number; clock?: Clock } = {},
  ) {}

  async reserve(maxUsd: number): Promise<{ ok: true; ticket: string } | { ok: false; state: SpendState; changed(signal: AbortSignal): Promise<void> }> {
    const ticket = randomUUID();
    const { batchId, rowId, attemptToken } = this.attempt;
    const made = await this.pool.query<Counts>(RESERVE, [batchId, maxUsd, ticket, rowId, attemptToken]);
    if (made.rows[0]) {
      this.last = stateOf(made.rows[0], this.last);
      return { ok: true, ticket };
    }
    const now = await this.pool.query<Counts>(COUNTS, [batchId]);
    if (!now.rows[0]) throw new Error(`Batch ${batchId} is not in the database, so no job of it can be kept under its cap.`);
    this.last = stateOf(now.rows[0], this.last);
    const clock = this.o.clock ?? realClock;
    return { ok: false, state: this.last, changed: (signal) => clock.sleep(this.o.pollMs ?? 500, signal) };
  }

  async settle(ticket: string, costUsd: number): Promise<void> {
    const { rows } = await this.pool.query<Counts>(SETTLE, [ticket, costUsd]);
    this.last = stateOf(rows[0], this.last);
  }

  state(): SpendState {
    return this.last;
  }
}

/**
 * Settles the open reservations of attempts that will never settle them (their worker died):
 * each counts as spent at its maximum. Run in the transaction that takes the rows over.
 */
export async function settleAbandoned(client: PoolClient, attemptTokens: readonly string[]): Promise<void> {
  if (attemptTokens.length === 0) return;
  await client.query(
    `WITH s AS (
       UPDATE batch_spend SET settled_at = now(), cost_usd = max_usd WHERE attempt_token = ANY($1) AND settled_at IS NULL RETURNING batch_id, max_usd
     ), t AS (SELECT batch_id, sum(max_usd) AS usd FROM s GROUP BY batch_id)
     UPDATE batches b SET reserved_usd = greatest(0, b.reserved_usd - t.usd), spent_usd = b.spent_usd + t.usd, updated_at = now()
     FROM t WHERE b.batch_id = t.batch_id`,
    [attemptTokens],
  );
}

/** What a row's jobs cost over all its attempts (settled reservations; reused work reserves nothing). */
export async function rowCostUsd(db: Pick<Pool, 'query'>, batchId: string, rowId: string): Promise<number> {
  const { rows } = await db.query<{ usd: number }>(
    'SELECT coalesce(sum(cost_usd), 0)::float8 AS usd FROM batch_spend WHERE batch_id = $1 AND row_id = $2 AND settled_at IS NOT NULL',
    [batchId, rowId],
  );
  return Math.round((rows[0]?.usd ?? 0) * 1e6) / 1e6;
}
