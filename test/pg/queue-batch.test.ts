import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../app/server/cli/run-cli';
import { pgClusterForFile } from './pg-fixtures';
import { batchDir, queueSimulator, readSummary, rowImages, spawnCoordinator, spawnWorker } from './queue-fixtures';

const pg = pgClusterForFile();

describe('batch --queue with workers', () => {
  it('finishes a batch on two workers, each row once, its images written from the database', async () => {
    const url = await pg.freshDatabase();
    const sim = await queueSimulator(['--time-scale', '0.05']);
    const dir = await batchDir(6, 2);
    const workers = [spawnWorker(url, sim), spawnWorker(url, sim)];
    const coordinator = spawnCoordinator(url, sim, dir);
    const exit = await coordinator.exited;
    expect(exit.code, coordinator.stderr()).toBe(EXIT.ok);
    const summary = await readSummary(dir);
    expect(summary.totals).toMatchObject({ rows: 6, succeeded: 6, images: 12 });
    for (const r of summary.rows) expect(await rowImages(dir, r.id)).toHaveLength(2);
    const log = await sim.remote.submits();
    expect([log.submits.length, log.duplicates]).toEqual([6, 0]);
    expect(new Set(summary.rows.flatMap((r) => r.requestIds))).toEqual(new Set(log.submits.map((s) => s.requestId)));
    const by = (w: (typeof workers)[number]) => (w.stderr().match(/: succeeded/g) ?? []).length;
    expect(by(workers[0]!) + by(workers[1]!)).toBe(6);
    void join;
  }, 90_000);
});
