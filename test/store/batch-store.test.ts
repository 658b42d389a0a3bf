import { describe, expect, it } from 'vitest';
import { checkReady } from '../../app/store/batch-check';
import { batchPage, references, storyboard, storyboardTsv, until } from './batch-fixtures';

const session = (p: ReturnType<typeof batchPage>) => p.batch.store.getState().session!;

async function filledBatch(rows = 3) {
  const p = batchPage();
  p.batch.openFor('Storyboard', { kind: 'template', title: 'Storyboard' }, storyboard());
  p.batch.paste(storyboardTsv(rows));
  p.batch.addImages('ref1', await references(p.world.assets));
  return p;
}

describe('createBatchStore', () => {
  it('checks every row for free and costs the batch before anything is submitted', async () => {
    const p = await filledBatch(3);
    const s = session(p);
    expect(s.table.rows.map((r) => r.id)).toEqual(['fox-1', 'fox-2', 'fox-3']);
    expect(s.table.rows.every((r) => typeof r.cells.ref2 === 'object')).toBe(true);
    await p.batch.check();
    const check = session(p).check!;
    expect(checkReady(check, session(p).version)).toBe(true);
    expect(check).toMatchObject({ maxUsd: 0.24, paidJobs: 3, toRun: 3, badRows: 0 });
    expect(p.provider.calls.submit).toBe(0);
  });

  it('names the row and column of a bad cell when the check finds one, and refuses to start', async () => {
    const p = await filledBatch(2);
    const second = session(p).table.rows[1]!;
    p.batch.setCell(second.key, 'ref3', 'missing.png');
    await p.batch.check();
    const check = session(p).check!;
    expect(check.badRows).toBe(1);
    expect(check.rows[second.key]!.problems[0]).toMatchObject({ line: 2, column: 'ref3' });
    expect(check.rows[second.key]!.problems[0]!.message).toContain('missing.png');
    expect(await p.batch.start()).toBe(false);
    expect(p.provider.calls.submit).toBe(0);
  });

  it('refuses to start when the batch could cost more than the cap', async () => {
    const p = await filledBatch(3);
    p.batch.setCap('0.20');
    await p.batch.check();
    expect(await p.batch.start()).toBe(false);
    expect(session(p).message?.text).toMatch(/up to \$0\.24, over the \$0\.20 cap/);
    expect(p.provider.calls.submit).toBe(0);
  });

  it('makes the check stale when a cell changes after it', async () => {
    const p = await filledBatch(1);
    await p.batch.check();
    p.batch.setCell(session(p).table.rows[0]!.key, 'story', 'Generate 2 images: another scene');
    expect(checkReady(session(p).check, session(p).version)).toBe(false);
    expect(await p.batch.start()).toBe(false);
  });

  it('runs every row once through the ledger, tagging each job with its row, and fills the contact sheet', async () => {
    const p = await filledBatch(3);
    p.batch.setCap('1');
    await p.batch.check();
    expect(await p.batch.start()).toBe(true);
    await p.clock.drive(until(p.batch, (s) => s.session?.phase === 'finished'));
    const s = session(p);
    expect(s.summary?.totals).toMatchObject({ rows: 3, succeeded: 3, failed: 0, costUsd: 0.24, capUsd: 1 });
    expect(p.provider.calls.submit).toBe(3);
    for (const id of ['fox-1', 'fox-2', 'fox-3']) {
      expect(s.sheet[id]).toHaveLength(2);
      expect(s.outputs[id]!.map((o) => o.file)).toEqual(['storyboard-01.png', 'storyboard-02.png']);
    }
    const tags = [...p.world.ledgerStore.records.values()].map((r) => r.batch);
    expect(tags).toEqual(expect.arrayContaining([{ batchId: s.batchId, rowId: 'fox-2' }]));
    expect((await p.world.records.get(s.batchId))?.phase).toBe('finished');
  });

  it('continues after a reload mid-batch with no second submit for any row', async () => {
    const p = await filledBatch(3);
    p.batch.setConcurrency(2);
    await p.batch.check();
    await p.batch.start();
    // Two rows' jobs are submitted and running when the page goes away.
    await p.clock.drive(until(p.batch, (s) => (s.session?.summary?.rows.filter((r) => r.requestIds.length > 0).length ?? 0) >= 2));
    expect(p.provider.calls.submit).toBe(2);
    await p.world.records.get(session(p).batchId);

    const reloaded = batchPage(p.world);
    await reloaded.batch.resume();
    expect(reloaded.batch.store.getState()).toMatchObject({ open: true, session: { phase: 'running', resumed: true } });
    await reloaded.clock.drive(until(reloaded.batch, (s) => s.session?.phase === 'finished'));
    const s = session(reloaded);
    expect(s.summary?.totals).toMatchObject({ succeeded: 3, failed: 0 });
    expect(p.provider.calls.submit).toBe(3);
    // Re-attached rows are charged what their jobs cost, not $0.
    expect(s.summary?.totals.costUsd).toBeCloseTo(0.24, 6);
  });

  it('retries a failed row for free when its work is stored, and skips rows that succeeded', async () => {
    const p = await filledBatch(2);
    p.provider.nextJob = { fail: 'scripted failure' };
    await p.batch.check();
    await p.batch.start();
    await p.clock.drive(until(p.batch, (s) => s.session?.phase === 'finished'));
    expect(session(p).summary?.totals).toMatchObject({ succeeded: 1, failed: 1 });
    const failed = session(p).summary!.rows.find((r) => r.status === 'failed')!;

    await p.batch.check('retry');
    const check = session(p).check!;
    expect(check.scope).toBe('retry');
    expect(Object.values(check.rows).map((r) => r.rowId)).toEqual([failed.id]);
    expect(check.maxUsd).toBe(0.08);
    await p.batch.start();
    await p.clock.drive(until(p.batch, (s) => s.session?.phase === 'finished'));
    expect(session(p).summary?.totals).toMatchObject({ succeeded: 2, failed: 0 });
    expect(p.provider.calls.submit).toBe(3);
  });

  it('asks for the Pay-again choice, naming the earlier job, when a row’s submit got no answer', async () => {
    const p = await filledBatch(1);
    p.provider.submitScript.push('unknown');
    await p.batch.check();
    await p.batch.start();
    await p.clock.drive(until(p.batch, (s) => s.session?.phase === 'finished'));
    expect(session(p).summary?.totals.failed).toBe(1);

    await p.batch.check('retry');
    const [blocked] = session(p).check!.blocked;
    expect(blocked).toMatchObject({ rowId: 'fox-1', state: 'unknown-submission' });
    expect(session(p).check!.toRun).toBe(0);
    await p.batch.payAgain(blocked!.jobId);
    expect(session(p).check!).toMatchObject({ toRun: 1, blocked: [] });
    await p.batch.start();
    await p.clock.drive(until(p.batch, (s) => s.session?.phase === 'finished'));
    expect(session(p).summary?.totals.succeeded).toBe(1);
    expect(p.provider.calls.submit).toBe(2);
  });

  it('stops: no further row starts and the batch is not continued after a reload', async () => {
    const p = await filledBatch(3);
    p.batch.setConcurrency(1);
    await p.batch.check();
    await p.batch.start();
    await p.clock.drive(until(p.batch, (s) => (s.session?.summary?.rows[0]?.requestIds.length ?? 0) > 0));
    p.batch.stop();
    await p.clock.drive(until(p.batch, (s) => s.session?.phase === 'stopped'));
    expect(p.provider.calls.submit).toBe(1);
    const reloaded = batchPage(p.world);
    await reloaded.batch.resume();
    expect(reloaded.batch.store.getState()).toMatchObject({ open: false, session: { phase: 'stopped' } });
  });
});
