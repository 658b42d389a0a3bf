import { describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS } from '../../app/server/pg/migrations';
import { pgClusterForFile } from './pg-fixtures';

const pg = pgClusterForFile();
const allSteps = MIGRATIONS.map((m) => `${m.version}-${m.name}`);
const latest = MIGRATIONS.length;
const future = latest + 1;

describe('migrate', () => {
  it('applies every step once and nothing when run again', async () => {
    const pool = pg.pool(await pg.freshDatabase());
    expect(await migrate(pool)).toEqual({ applied: allSteps, version: latest });
    expect(await migrate(pool)).toEqual({ applied: [], version: latest });
    const { rows } = await pool.query('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    const tables = await pool.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
    expect(tables.rows.map((r) => r.tablename)).toEqual(['assets', 'batch_rows', 'batch_spend', 'batches', 'job_ledger', 'schema_migrations', 'work_locks']);
  });

  it('applies each step exactly once when eight workers start at once', async () => {
    const url = await pg.freshDatabase();
    const pools = Array.from({ length: 8 }, () => pg.pool(url, 1));
    const reports = await Promise.all(pools.map((p) => migrate(p)));
    expect(reports.flatMap((r) => r.applied).sort()).toEqual(allSteps);
    expect(reports.filter((r) => r.applied.length > 0)).toHaveLength(1);
    const { rows } = await pools[0]!.query('SELECT count(*)::int AS n FROM schema_migrations');
    expect(rows[0].n).toBe(MIGRATIONS.length);
  });

  it('adds a new step to a database migrated by an older build', async () => {
    const pool = pg.pool(await pg.freshDatabase());
    await migrate(pool, MIGRATIONS.slice(0, 1));
    expect(await migrate(pool)).toEqual({ applied: allSteps.slice(1), version: latest });
  });

  it('refuses a database migrated by a newer build, or with a step of another name', async () => {
    const pool = pg.pool(await pg.freshDatabase());
    await migrate(pool, [...MIGRATIONS, { version: future, name: 'future', sql: 'CREATE TABLE future (id int)' }]);
    await expect(migrate(pool)).rejects.toThrow(new RegExp(`step ${future} \\("future"\\), which this build does not know \\(it knows up to ${latest}\\)`));
    const other = pg.pool(await pg.freshDatabase());
    await migrate(other, [{ version: 1, name: 'something-else', sql: 'SELECT 1' }]);
    await expect(migrate(other)).rejects.toThrow(/step 1 is "something-else" but this build's is "job-ledger"/);
  });

  it('leaves nothing applied when a step fails', async () => {
    const pool = pg.pool(await pg.freshDatabase());
    await expect(migrate(pool, [...MIGRATIONS, { version: future, name: 'broken', sql: 'CREATE TABLE oops (' }])).rejects.toThrow();
    const { rows } = await pool.query("SELECT to_regclass('public.job_ledger') AS t, to_regclass('public.schema_migrations') AS m");
    expect(rows[0]).toEqual({ t: null, m: null });
  });
});
