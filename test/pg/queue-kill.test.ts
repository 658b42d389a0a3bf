import { describe, expect, it } from 'vitest';
import { EXIT } from '../../app/server/cli/run-cli';
import type { CliProcess } from '../server/cli/cli-process';
import { simFaults } from '../../app/server/simulator';
import { pgClusterForFile } from './pg-fixtures';
import { batchDir, queueSimulator, readSummary, rowImages, spawnCoordinator, spawnWorker, TEST_LEASE_SECONDS, until, type Sim } from './queue-fixtures';

const pg = pgClusterForFile();

/** Within this of a kill -9, the dead worker's rows run on another worker (lease + supervisor + fetch, with slack for a loaded machine). */
const PICKUP_BOUND_MS = (TEST_LEASE_SECONDS + 3) * 1000;

/**
 * kill -9 of a worker at the three moments that matter for money: its job queued at the API,
 * running, and its submit's reply not yet come. A second worker, already idle, takes the rows
 * over within the lease; the ledger re-attaches to what was submitted, never submitting again.
 */
async function killScenario(simArgs: string[], rows: number, atKill: (sim: Sim) => Promise<boolean>, o: { hold?: boolean } = {}) {
  const url = await pg.freshDatabase();
  const db = pg.pool(url, 2);
  const sim = await queueSimulator(simArgs);
  if (o.hold) await sim.remote.push(simFaults.holdSubmit());
  const dir = await batchDir(rows, 2);
  const a = spawnWorker(url, sim, ['--concurrency', String(rows)]);
  await a.waitFor(/^Worker /m, 20_000);
  const coordinator = spawnCoordinator(url, sim, dir);
  await until(async () => ((await atKill(sim)) ? true : undefined), 'the moment to kill the worker');
  const b: CliProcess = spawnWorker(url, sim);
  await b.waitFor(/^Worker /m, 20_000);
  a.child.kill('SIGKILL');
  const killedAt = Date.now();
  await sim.remote.release();
  const pickedUp = await until(
    async () =>
      (await db.query("SELECT count(*)::int AS n FROM batch_rows WHERE attempts >= 2 OR (status <> 'running' AND takeovers > 0)")).rows[0].n > 0
        ? Date.now()
        : undefined,
    'a row taken over',
  );
  const exit = await coordinator.exited;
  const summary = await readSummary(dir);
  const log = await sim.remote.submits();
  const takeovers = (await db.query('SELECT row_id, takeovers, attempts, status FROM batch_rows ORDER BY row_id')).rows;
  return { pickupMs: pickedUp - killedAt, exit, summary, log, takeovers, coordinator, dir, b };
}

describe('a worker killed (kill -9) mid-row', () => {
  it('while its jobs are queued at the API: another worker re-attaches to them, nothing is submitted twice', async () => {
    // One simulator slot busy for long: the rows' jobs wait in its queue.
    const w = await killScenario(
      ['--workers', '1', '--queue-ms', '2500', '--base-ms', '300', '--per-image-ms', '0'],
      2,
      async (sim) => (await sim.remote.jobs()).filter((j) => j.phase === 'queued').length >= 1 && (await sim.remote.submits()).submits.length === 2,
    );
    expect(w.exit.code, w.coordinator.stderr()).toBe(EXIT.ok);
    expect(w.pickupMs).toBeLessThan(PICKUP_BOUND_MS);
    expect([w.log.submits.length, w.log.duplicates]).toEqual([2, 0]);
    expect(w.summary.totals).toMatchObject({ succeeded: 2, images: 4 });
    for (const r of w.summary.rows) expect(await rowImages(w.dir, r.id)).toHaveLength(2);
    expect(new Set(w.summary.rows.flatMap((r) => r.requestIds))).toEqual(new Set(w.log.submits.map((s) => s.requestId)));
    expect(w.takeovers.every((t) => t.takeovers === 1)).toBe(true);
    expect(w.b.stderr()).toMatch(/attempt 2: re-attaching/);
    console.log(`pickup after kill -9 (queued): ${w.pickupMs} ms`);
  }, 90_000);

  it('while its jobs run: another worker collects them, nothing is submitted twice', async () => {
    const w = await killScenario(
      ['--queue-ms', '0', '--base-ms', '3000', '--per-image-ms', '0'],
      2,
      async (sim) => (await sim.remote.jobs()).filter((j) => j.phase === 'running').length === 2,
    );
    expect(w.exit.code, w.coordinator.stderr()).toBe(EXIT.ok);
    expect(w.pickupMs).toBeLessThan(PICKUP_BOUND_MS);
    expect([w.log.submits.length, w.log.duplicates]).toEqual([2, 0]);
    expect(w.summary.totals).toMatchObject({ succeeded: 2, images: 4 });
    for (const r of w.summary.rows) expect(await rowImages(w.dir, r.id)).toHaveLength(2);
    // The coordinator says why a row moved, and when its lease ran out (not when the worker died: nobody saw that).
    expect(w.coordinator.stderr()).toMatch(
      /row \S+ \(line \d+\): Worker \S+ stopped answering: its lease ran out at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ; the row was handed to another worker \(nothing is submitted again/,
    );
    console.log(`pickup after kill -9 (running): ${w.pickupMs} ms`);
  }, 90_000);

  it('while its submit’s reply is held: the row is reported as an unknown submission, never resubmitted; the other row finishes', async () => {
    const w = await killScenario(
      ['--queue-ms', '0', '--base-ms', '1500', '--per-image-ms', '0'],
      2,
      async (sim) => (await sim.remote.held()).length === 1 && (await sim.remote.submits()).submits.length === 2,
      { hold: true },
    );
    expect(w.exit.code, w.coordinator.stderr()).toBe(EXIT.failed);
    expect(w.pickupMs).toBeLessThan(PICKUP_BOUND_MS);
    expect([w.log.submits.length, w.log.duplicates]).toEqual([2, 0]);
    const [unknown, ok] = [w.summary.rows.find((r) => r.status === 'failed')!, w.summary.rows.find((r) => r.status === 'succeeded')!];
    // The held submit's job exists at the API (its id was never learnt): the row names its ledger job instead.
    const held = w.log.submits.filter((s) => !ok.requestIds.includes(s.requestId));
    expect(unknown.error).toMatchObject({ code: 'repay-required' });
    expect(unknown.error!.message).toMatch(/may have been created and billed: its reply never arrived\. It was not resent/);
    expect(unknown.jobIds).toHaveLength(1);
    expect(unknown.requestIds).toEqual([]);
    expect(held).toHaveLength(1);
    expect(await rowImages(w.dir, ok.id)).toHaveLength(2);
    console.log(`pickup after kill -9 (held submit): ${w.pickupMs} ms`);
  }, 90_000);
});

describe('a worker that stops answering for a while (SIGSTOP, then SIGCONT)', () => {
  it('loses its row to another worker, which waits for its living job instead of paying again; the slow one writes nothing to the row', async () => {
    const url = await pg.freshDatabase();
    const db = pg.pool(url, 2);
    const sim = await queueSimulator(['--queue-ms', '0', '--base-ms', '6000', '--per-image-ms', '0']);
    const dir = await batchDir(1, 2);
    const a = spawnWorker(url, sim, ['--concurrency', '1']);
    await a.waitFor(/^Worker /m, 20_000);
    const coordinator = spawnCoordinator(url, sim, dir);
    await until(async () => ((await sim.remote.jobs()).some((j) => j.phase === 'running') ? true : undefined), 'the job running');
    const b = spawnWorker(url, sim);
    await b.waitFor(/^Worker /m, 20_000);
    a.child.kill('SIGSTOP');
    await until(async () => ((await db.query('SELECT attempts FROM batch_rows')).rows[0].attempts === 2 ? true : undefined), 'the row taken over');
    a.child.kill('SIGCONT');
    expect((await coordinator.exited).code, coordinator.stderr()).toBe(EXIT.ok);
    await a.waitFor(/was (handed to|taken over by) another worker/);
    const log = await sim.remote.submits();
    expect([log.submits.length, log.duplicates]).toEqual([1, 0]);
    const summary = await readSummary(dir);
    expect(summary.rows[0]).toMatchObject({ status: 'succeeded', requestIds: [log.submits[0]!.requestId] });
    expect(await rowImages(dir, 'r1')).toHaveLength(2);
    expect((await db.query('SELECT takeovers, worker_id FROM batch_rows')).rows[0].takeovers).toBe(1);
  }, 90_000);
});
