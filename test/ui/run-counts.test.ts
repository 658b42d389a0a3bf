import { describe, expect, it } from 'vitest';
import { runTally, tallyText } from '../../app/ui/run/run-counts';
import { createLedgerTestStore, createTestStore, paidWorkflow } from '../fixtures/studio-store';
import { flushMicrotasks } from '../fixtures/fake-clock';

async function until(clock: { advance(ms: number): Promise<void> }, done: () => boolean, steps = 200) {
  for (let i = 0; i < steps && !done(); i++) await clock.advance(100);
  if (!done()) throw new Error('condition not reached');
}

describe('runTally', () => {
  it('counts a job cancelled by Stop as cancelled, not failed (issue 9, item 6)', async () => {
    const t = createLedgerTestStore(paidWorkflow(3));
    t.provider.defaults = { queueMs: 5_000, runMs: 5_000, outputs: 3 };
    await t.clock.drive(t.store.getState().requestRun());
    const running = t.store.getState().confirmRun();
    await until(t.clock, () => t.store.getState().run.nodes.gen?.job?.record.state === 'queued');
    t.store.getState().stopRun();
    await t.clock.drive(running);
    await until(t.clock, () => t.store.getState().run.nodes.gen?.job?.record.state === 'cancelled');
    const run = t.store.getState().run;
    expect(run.counts?.failed).toBe(1);
    expect(runTally(run)).toMatchObject({ failed: 0, cancelled: 1 });
    expect(tallyText(runTally(run))).toBe('2 done · 0 cached · 0 failed · 1 cancelled · 1 skipped');
  });

  it('counts a node stopped while its work ran as stopped', async () => {
    const t = createTestStore(paidWorkflow(3));
    t.api.respond = () => new Promise(() => undefined);
    await t.store.getState().requestRun();
    const running = t.store.getState().confirmRun();
    for (let i = 0; i < 20 && t.store.getState().run.nodes.gen?.status !== 'running'; i++) await flushMicrotasks();
    t.store.getState().stopRun();
    await running;
    expect(tallyText(runTally(t.store.getState().run))).toBe('2 done · 0 cached · 0 failed · 1 stopped · 1 skipped');
  });

  it('counts a node that failed on its own as failed', async () => {
    const t = createTestStore(paidWorkflow(3));
    t.api.respond = () => {
      throw new Error('the API said no');
    };
    await t.store.getState().requestRun();
    await t.store.getState().confirmRun();
    expect(runTally(t.store.getState().run)).toMatchObject({ failed: 1, stopped: 0, cancelled: 0, done: 2, skipped: 1 });
  });
});
