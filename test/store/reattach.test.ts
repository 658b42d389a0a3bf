import { describe, expect, it } from 'vitest';
import { statusLabel } from '../../app/ui/run/status-text';
import { flushMicrotasks } from '../fixtures/fake-clock';
import { createLedgerTestStore, paidWorkflow } from '../fixtures/studio-store';

type T = ReturnType<typeof createLedgerTestStore>;

async function until(t: T, done: () => boolean, steps = 300) {
  for (let i = 0; i < steps && !done(); i++) await t.clock.advance(100);
  if (!done()) throw new Error('condition not reached');
}

/** Starts a paid run on a fresh page and leaves it (the page goes away) once `when` holds. */
async function leaveMidRun(when: (t: T) => boolean, setup: (t: T) => void = () => undefined): Promise<T> {
  const t = createLedgerTestStore(paidWorkflow(3));
  setup(t);
  await t.clock.drive(t.store.getState().requestRun());
  void t.store.getState().confirmRun();
  await until(t, () => when(t));
  await flushMicrotasks();
  return t;
}

/** The same tab loaded again: recovers, without continuing the run (its record is dropped here). */
async function reload(old: T, keepRun = false): Promise<T> {
  if (!keepRun) old.world.runs.record = undefined;
  const t = createLedgerTestStore(paidWorkflow(3), { world: old.world });
  await t.clock.drive(t.store.getState().recoverJobs());
  return t;
}

describe('paid jobs after a reload', () => {
  it('re-attaches a job in flight on its node, shows its frames when it completes, and submits nothing', async () => {
    const old = await leaveMidRun((t) => t.store.getState().run.nodes.gen?.job?.record.state === 'running');
    const t = await reload(old);
    expect(statusLabel(t.store.getState().run.nodes.gen!)).toMatch(/^re-attached — /);
    await until(t, () => t.store.getState().results.gen !== undefined);
    const s = t.store.getState();
    expect(s.run.nodes.gen).toMatchObject({ status: 'done', job: { record: { state: 'stored' } } });
    expect((s.results.gen!.outputs.images as unknown[]).length).toBe(3);
    expect(t.provider.calls.submit).toBe(1);
  });

  it('joins a re-attached job when the node is run again: no cost dialog, no second submit', async () => {
    const old = await leaveMidRun(
      (t) => t.store.getState().run.nodes.gen?.job?.record.state === 'queued',
      (t) => (t.provider.defaults = { queueMs: 3_000, runMs: 3_000, outputs: 3 }),
    );
    const t = await reload(old);
    await t.clock.drive(t.store.getState().requestRun());
    expect(t.store.getState().pendingRun).toBeNull();
    expect(t.store.getState().run).toMatchObject({ phase: 'succeeded' });
    expect(t.provider.calls.submit).toBe(1);
  });

  it('shows a request the API forgot as lost, never resubmits it, and pays again only when asked', async () => {
    const old = await leaveMidRun((t) => t.store.getState().run.nodes.gen?.job?.record.state === 'running');
    old.provider.jobs.clear();
    const t = await reload(old);
    await until(t, () => t.store.getState().run.nodes.gen?.job?.record.state === 'lost');
    expect(statusLabel(t.store.getState().run.nodes.gen!)).toBe('lost — may be billed');

    // A plain run opens the dialog with the blocked row unticked; confirming that runs nothing paid.
    await t.clock.drive(t.store.getState().requestRun());
    const pending = t.store.getState().pendingRun!;
    expect(pending.estimate.items.map((i) => [i.nodeId, i.status, i.job?.jobId])).toEqual([['gen', 'blocked', 'job-1']]);
    expect(pending.repay).toEqual([]);
    await t.clock.drive(t.store.getState().confirmRun());
    expect(t.store.getState().run.nodes.gen).toMatchObject({ status: 'skipped', held: 'job-1' });
    expect(t.store.getState().run.nodeIds).not.toContain('view');
    expect(t.provider.calls.submit).toBe(1);

    // "Pay again" names the earlier job and pays only after the dialog is confirmed.
    await t.clock.drive(t.store.getState().payAgain('gen', 'job-1'));
    expect(t.store.getState().pendingRun?.repay).toEqual(['job-1']);
    expect(t.provider.calls.submit).toBe(1);
    await t.clock.drive(t.store.getState().confirmRun());
    const s = t.store.getState();
    expect(t.provider.calls.submit).toBe(2);
    expect(s.run.nodes.gen).toMatchObject({ status: 'done', job: { record: { jobId: 'job-2', repayOf: 'job-1' } } });
    expect(s.jobs['job-1']?.record.supersededBy).toBe('job-2');
  });

  it('turns a submit cut off by the reload into an unknown submission that blocks until the user chooses', async () => {
    let release!: () => void;
    const old = await leaveMidRun(
      (t) => t.store.getState().run.nodes.gen?.job?.record.state === 'intent',
      (t) => t.provider.submitScript.push({ hold: new Promise<void>((r) => (release = r)) }),
    );
    const t = await reload(old);
    release();
    expect(t.store.getState().run.nodes.gen?.job?.record.state).toBe('unknown-submission');
    expect(statusLabel(t.store.getState().run.nodes.gen!)).toBe('unknown submission — may be billed');
    await t.store.getState().dismissJob('job-1');
    expect(t.store.getState().run.nodes.gen).toBeUndefined();
    await t.clock.drive(t.store.getState().requestRun());
    // Dismissed is not forgotten: paying again still needs the choice.
    expect(t.store.getState().pendingRun?.estimate.blocked.map((b) => b.job?.jobId)).toEqual(['job-1']);
  });

  it('fetches the missing images of a partial job for free when asked', async () => {
    const t = createLedgerTestStore(paidWorkflow(3));
    t.provider.files.set('*#1', ['fail', 'fail', 'fail', 'fail']);
    await t.clock.drive(t.store.getState().requestRun());
    await t.clock.drive(t.store.getState().confirmRun());
    const partial = t.store.getState().run.nodes.gen!;
    expect(partial.job?.record).toMatchObject({ state: 'stored', partial: true });
    expect(statusLabel(partial)).toBe('partial — 2 of 3 images');
    expect((t.store.getState().results.gen!.outputs.images as unknown[]).length).toBe(2);
    await t.clock.drive(t.store.getState().fetchMissing('job-1'));
    const s = t.store.getState();
    expect(s.run.nodes.gen?.job?.record).toMatchObject({ state: 'stored', partial: false });
    expect((s.results.gen!.outputs.images as unknown[]).length).toBe(3);
    expect(t.provider.calls.submit).toBe(1);
  });

  it('waits for a job another tab follows, and takes it over once that tab is gone', async () => {
    const other = await leaveMidRun((t) => t.store.getState().run.nodes.gen?.job?.record.state === 'running');
    other.world.runs.record = undefined;
    const t = createLedgerTestStore(paidWorkflow(3), { world: other.world, owner: 'tab-2' });
    const report = await t.clock.drive(t.store.getState().recoverJobs());
    expect(report?.elsewhere.map((r) => r.jobId)).toEqual(['job-1']);
    await t.clock.advance(31_000);
    const later = await t.clock.drive(t.store.getState().recoverJobs());
    expect(later?.reattached.map((r) => r.jobId)).toEqual(['job-1']);
    await until(t, () => t.store.getState().results.gen !== undefined);
    expect(t.provider.calls.submit).toBe(1);
  });
});
