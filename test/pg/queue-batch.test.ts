import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../app/server/cli/run-cli';
import { spawnCli } from '../server/cli/cli-process';
import { pgClusterForFile } from './pg-fixtures';
import { batchDir, queueSimulator, readSummary, rowImages, spawnCoordinator, spawnWorker, until } from './queue-fixtures';

const pg = pgClusterForFile();

describe('batch --queue with workers', () => {
  it('finishes a batch on two workers, each row once; rows longer than the lease stay with their living worker', async () => {
    const url = await pg.freshDatabase();
    // Each job runs 4 s, longer than the 3 s lease: only heartbeats keep the rows where they are.
    const sim = await queueSimulator(['--workers', '8', '--queue-ms', '0', '--base-ms', '4000', '--per-image-ms', '0']);
    const dir = await batchDir(4, 2);
    const workers = [spawnWorker(url, sim), spawnWorker(url, sim)];
    const coordinator = spawnCoordinator(url, sim, dir);
    const exit = await coordinator.exited;
    expect(exit.code, coordinator.stderr()).toBe(EXIT.ok);
    const summary = await readSummary(dir);
    expect(summary.totals).toMatchObject({ rows: 4, succeeded: 4, images: 8 });
    for (const r of summary.rows) expect(await rowImages(dir, r.id)).toHaveLength(2);
    const log = await sim.remote.submits();
    expect([log.submits.length, log.duplicates]).toEqual([4, 0]);
    expect(new Set(summary.rows.flatMap((r) => r.requestIds))).toEqual(new Set(log.submits.map((s) => s.requestId)));
    const rows = (await pg.pool(url, 1).query('SELECT attempts, takeovers, worker_id FROM batch_rows')).rows;
    expect(rows.every((r) => r.attempts === 1 && r.takeovers === 0)).toBe(true);
    expect(new Set(rows.map((r) => r.worker_id)).size).toBe(2);
    const by = (w: (typeof workers)[number]) => (w.stderr().match(/: succeeded/g) ?? []).length;
    expect(by(workers[0]!) + by(workers[1]!)).toBe(4);
    // The price is read once by the coordinator (the cost first) and once by each worker, not once per row.
    expect((await sim.remote.state()).counts.requests.catalog).toBe(3);

    // Any machine can write the batch out again from the database, submitting nothing.
    const collect = spawnCli(['collect', '--queue', url, '--out', join(dir, 'again'), '--batch', summary.batchId], sim);
    expect((await collect.exited).code, collect.stderr()).toBe(EXIT.ok);
    expect(collect.stderr()).toMatch(/4\/4 row\(s\) succeeded; 8 image\(s\).*Nothing was submitted/);
    for (const r of summary.rows) expect(await readdir(join(dir, 'again', r.id))).toEqual(await readdir(join(dir, 'out', r.id)));
    expect((await sim.remote.submits()).submits).toHaveLength(4);
  }, 90_000);

  it('pays once for a paid stage that rows on different workers share', async () => {
    const url = await pg.freshDatabase();
    const sim = await queueSimulator(['--workers', '8', '--queue-ms', '0', '--base-ms', '1500', '--per-image-ms', '0']);
    const dir = await batchDir(0);
    const rows = [
      'id,reference,restylePrompt,restyleMax,continuePrompt,continueMax',
      ...[1, 2, 3, 4].map((i) => `c${i},ref.png,Generate 4 images in watercolour,4,Generate 1 image of ending ${i},1`),
    ];
    await writeFile(join(dir, 'rows.csv'), `${rows.join('\n')}\n`);
    spawnWorker(url, sim);
    spawnWorker(url, sim);
    const coordinator = spawnCoordinator(url, sim, dir, [], 'two-step-chain');
    expect((await coordinator.exited).code, coordinator.stderr()).toBe(EXIT.ok);
    const log = await sim.remote.submits();
    // One restyle (shared by every row) and one sequel per row.
    expect([log.submits.length, log.duplicates]).toEqual([5, 0]);
    expect((await readSummary(dir)).totals).toMatchObject({ succeeded: 4 });
  }, 90_000);

  it('stops on SIGINT (rows not started cancelled, running ones ended by their workers) and a re-run finishes without paying twice', async () => {
    const url = await pg.freshDatabase();
    // One slot at the API: of the worker's two rows one runs and one waits in the API's queue.
    const sim = await queueSimulator(['--workers', '1', '--queue-ms', '0', '--base-ms', '2000', '--per-image-ms', '0']);
    const dir = await batchDir(4, 1);
    spawnWorker(url, sim);
    const first = spawnCoordinator(url, sim, dir);
    await until(async () => ((await sim.remote.jobs()).length === 2 ? true : undefined), 'two rows at the API');
    first.child.kill('SIGINT');
    const stopped = await first.exited;
    expect(stopped.code, first.stderr()).toBe(130);
    expect(first.stderr()).toMatch(/Stopping: 2 row\(s\) not started were cancelled/);
    const s1 = await readSummary(dir);
    expect(s1.status).toBe('interrupted');
    // The queued job was cancelled at the API; the running one goes on (its worker still collects it).
    const phases = (await sim.remote.jobs()).map((j) => j.phase).sort();
    expect(phases).toHaveLength(2);
    expect(phases[0]).toBe('cancelled');
    // What the stop did to each paid job is said by row: the one cancelled is not billed, the other is.
    const err = first.stderr();
    expect(err).toMatch(/row \S+: Cancelled at the API before it started — request \S+ is not billed\./);
    expect(err).toMatch(
      /row \S+: request \S+ (is still running at RunComfy — it will be billed; a worker goes on collecting it|finished while stopping — it is billed)/,
    );
    expect(err).not.toMatch(/waiting up to 0 s/);
    // Rows the stop cancelled before any worker took them end without ever being said to start.
    const startedRows = [...err.matchAll(/row (\S+) \(line \d+\): started/g)].map((m) => m[1]);
    expect(startedRows).toHaveLength(2);

    const again = spawnCoordinator(url, sim, dir);
    expect((await again.exited).code, again.stderr()).toBe(EXIT.ok);
    const s2 = await readSummary(dir);
    expect(s2.totals).toMatchObject({ rows: 4, succeeded: 4, images: 4 });
    // Every billed job is in the batch's cost, the one paid in the first run and collected now included.
    expect(s2.totals.costUsd).toBeCloseTo(4 * 0.04);
    for (const r of s2.rows) expect(await rowImages(dir, r.id)).toHaveLength(1);
    // The only input sent twice is the job cancelled at the API before it ran (not billed).
    const log = await sim.remote.submits();
    const jobs = new Map((await sim.remote.jobs()).map((j) => [j.request_id, j.phase]));
    expect(log.submits).toHaveLength(5);
    expect(log.duplicates).toBe(1);
    const repeated = log.submits.flatMap((s) => (s.duplicateOf === undefined ? [] : [s.duplicateOf]));
    expect(repeated.map((id) => jobs.get(id))).toEqual(['cancelled']);
  }, 120_000);

  it('counts in a row’s cost a job billed in a stopped run and collected by its worker after the row ended', async () => {
    const url = await pg.freshDatabase();
    const db = pg.pool(url, 1);
    const sim = await queueSimulator(['--workers', '4', '--queue-ms', '0', '--base-ms', '3000', '--per-image-ms', '0']);
    const dir = await batchDir(1, 2);
    spawnWorker(url, sim);
    const first = spawnCoordinator(url, sim, dir);
    await until(async () => ((await sim.remote.jobs()).some((j) => j.phase === 'running') ? true : undefined), 'the row’s job running at the API');
    first.child.kill('SIGINT');
    expect((await first.exited).code, first.stderr()).toBe(130);
    expect((await readSummary(dir)).rows.map((r) => [r.status, r.costUsd])).toEqual([['interrupted', 0]]);
    // Its worker goes on collecting the running (billed) job after the row ended.
    await until(async () => ((await db.query("SELECT 1 FROM job_ledger WHERE state = 'stored'")).rowCount ? true : undefined), 'the job stored');

    const again = spawnCoordinator(url, sim, dir);
    expect((await again.exited).code, again.stderr()).toBe(EXIT.ok);
    const s2 = await readSummary(dir);
    expect(s2.rows.map((r) => [r.status, r.costUsd])).toEqual([['succeeded', 0.08]]);
    expect(s2.totals.costUsd).toBeCloseTo(0.08);
    expect((await sim.remote.submits()).submits).toHaveLength(1);
  }, 120_000);

  it("starts a worker's next row while the last one's outcome is still being written (the slot is free once nothing of the row runs)", async () => {
    const url = await pg.freshDatabase();
    const sim = await queueSimulator(['--workers', '4', '--queue-ms', '0', '--base-ms', '600', '--per-image-ms', '0']);
    const dir = await batchDir(5, 1);
    spawnWorker(url, sim, ['--concurrency', '1']);
    const coordinator = spawnCoordinator(url, sim, dir);
    const db = pg.pool(url, 2);
    // The rows (none until the worker has created the schema and the coordinator the rows).
    const rows = async () =>
      (
        await db
          .query<{ row_id: string; status: string; requests: number }>('SELECT row_id, status, cardinality(request_ids) AS requests FROM batch_rows')
          .catch(() => undefined)
      )?.rows ?? [];
    // Once the first row's request id is written, its row is locked: its final write waits for the lock.
    const first = await until(async () => (await rows()).find((r) => r.requests === 1)?.row_id, 'the first row submitted');
    const lock = await db.connect();
    try {
      await lock.query('BEGIN');
      await lock.query('SELECT 1 FROM batch_rows WHERE row_id = $1 FOR UPDATE', [first]);
      expect((await sim.remote.submits()).submits).toHaveLength(1);
      // One row at a time, yet the second starts (and is paid for) while the first's outcome waits.
      await until(async () => ((await sim.remote.submits()).submits.length === 2 ? true : undefined), 'the second row submitted', 15_000);
      expect((await rows()).find((r) => r.row_id === first)?.status).toBe('running');
    } finally {
      await lock.query('COMMIT');
      lock.release();
    }
    expect((await coordinator.exited).code, coordinator.stderr()).toBe(EXIT.ok);
    expect((await readSummary(dir)).totals).toMatchObject({ rows: 5, succeeded: 5, images: 5 });
    const log = await sim.remote.submits();
    expect([log.submits.length, log.duplicates]).toEqual([5, 0]);
    // The coordinator enqueued the first 4 rows in a transaction of their own (workers start on them
    // while it resolves the rest), then the last one: two insert times.
    const chunks = await db.query<{ n: number; rows: number }>('SELECT count(*)::int AS rows, count(DISTINCT created_on)::int AS n FROM pgboss.job');
    expect(chunks.rows[0]).toEqual({ rows: 5, n: 2 });
  }, 90_000);
});
