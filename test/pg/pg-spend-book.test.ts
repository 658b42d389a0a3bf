import { describe, expect, it } from 'vitest';
import { migrate } from '../../app/server/pg/migrations';
import { PgSpendBook, rowCostUsd, settleAbandoned } from '../../app/server/pg/pg-spend-book';
import { pgClusterForFile } from './pg-fixtures';

const pg = pgClusterForFile();

async function batch(capUsd: number | null) {
  const url = await pg.freshDatabase();
  const pool = pg.pool(url, 8);
  await migrate(pool);
  await pool.query("INSERT INTO batches (batch_id, queue, endpoint, origin, mode, cap_usd) VALUES ('b1', 'q', 'e', 'o', 'runcomfy', $1)", [capUsd]);
  const counts = async () => (await pool.query('SELECT spent_usd, reserved_usd FROM batches')).rows[0] as { spent_usd: number; reserved_usd: number };
  return { url, pool, counts };
}

describe('PgSpendBook', () => {
  it('lets no more reservations in than the cap holds when twenty workers reserve at once', async () => {
    const { url, counts } = await batch(1.0);
    // Each its own pool: twenty "machines" racing for $1 in $0.12 steps (8 fit).
    const books = Array.from({ length: 20 }, (_, i) => new PgSpendBook(pg.pool(url, 1), { batchId: 'b1', rowId: `r${i}`, attemptToken: `t${i}` }));
    const answers = await Promise.all(books.map((b) => b.reserve(0.12)));
    expect(answers.filter((a) => a.ok)).toHaveLength(8);
    expect(await counts()).toEqual({ spent_usd: 0, reserved_usd: expect.closeTo(0.96, 9) });
    const refused = answers.find((a) => !a.ok);
    expect(refused && !refused.ok && refused.state).toMatchObject({ capUsd: 1, spentUsd: 0, reservedUsd: expect.closeTo(0.96, 9) });
  });

  it('moves a settled reservation to spent once, and counts a dead attempt’s open reservations at their maximum', async () => {
    const { pool, counts } = await batch(null);
    const live = new PgSpendBook(pool, { batchId: 'b1', rowId: 'r1', attemptToken: 'alive' });
    const dead = new PgSpendBook(pool, { batchId: 'b1', rowId: 'r2', attemptToken: 'dead' });
    const a = await live.reserve(0.2);
    await dead.reserve(0.3);
    await dead.reserve(0.1);
    if (!a.ok) throw new Error('no cap: every reservation fits');
    await live.settle(a.ticket, 0.08);
    await live.settle(a.ticket, 0.08);
    expect(await counts()).toEqual({ spent_usd: expect.closeTo(0.08, 9), reserved_usd: expect.closeTo(0.4, 9) });
    const client = await pool.connect();
    try {
      await settleAbandoned(client, ['dead']);
      await settleAbandoned(client, ['dead']);
    } finally {
      client.release();
    }
    expect(await counts()).toEqual({ spent_usd: expect.closeTo(0.48, 9), reserved_usd: expect.closeTo(0, 9) });
    expect([await rowCostUsd(pool, 'b1', 'r1'), await rowCostUsd(pool, 'b1', 'r2')]).toEqual([0.08, 0.4]);
  });
});
