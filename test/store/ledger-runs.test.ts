import { describe, expect, it } from 'vitest';
import { statusDetail, statusLabel } from '../../app/ui/run/status-text';
import type { StudioStore } from '../../app/store/create-store';
import { flushMicrotasks } from '../fixtures/fake-clock';
import { chainedWorkflow, createLedgerTestStore, paidWorkflow } from '../fixtures/studio-store';

/** Every label and sentence node `nodeId` shows, in order, as the store changes. */
function watchNode(store: StudioStore, nodeId: string) {
  const seen: string[] = [];
  const note = () => {
    const n = store.getState().run.nodes[nodeId];
    if (!n) return;
    const text = `${statusLabel(n)} | ${statusDetail(n) ?? ''}`;
    if (seen.at(-1) !== text) seen.push(text);
  };
  store.subscribe(note);
  return seen;
}

async function until(clock: { advance(ms: number): Promise<void> }, done: () => boolean, steps = 200) {
  for (let i = 0; i < steps && !done(); i++) await clock.advance(100);
  if (!done()) throw new Error('condition not reached');
}

describe('store on the job ledger', () => {
  it('runs a paid node through the ledger and shows its job on the node', async () => {
    const t = createLedgerTestStore(paidWorkflow(3));
    await t.clock.drive(t.store.getState().requestRun());
    expect(t.store.getState().pendingRun?.estimate.items.map((i) => i.status)).toEqual(['pay']);
    await t.clock.drive(t.store.getState().confirmRun());
    const s = t.store.getState();
    expect(s.run.phase).toBe('succeeded');
    expect(s.run.nodes.gen).toMatchObject({ status: 'done', job: { record: { jobId: 'job-1', state: 'stored' } } });
    expect(s.jobs['job-1']?.record.state).toBe('stored');
    expect((s.results.gen!.outputs.images as unknown[]).length).toBe(3);
    expect(t.provider.calls.submit).toBe(1);
    expect(t.world.runs.record).toBeUndefined();
  });

  it('never says "not billed" when a stopped queued job cannot be cancelled, and still collects its images', async () => {
    const t = createLedgerTestStore(paidWorkflow(3));
    t.provider.defaults = { queueMs: 5_000, runMs: 5_000, outputs: 3, refuseCancel: true };
    const seen = watchNode(t.store, 'gen');
    await t.clock.drive(t.store.getState().requestRun());
    const running = t.store.getState().confirmRun();
    await until(t.clock, () => t.store.getState().run.nodes.gen?.job?.record.state === 'queued');
    t.store.getState().stopRun();
    await t.clock.drive(running);
    await until(t.clock, () => t.store.getState().run.nodes.gen?.job?.record.state === 'stored');
    const s = t.store.getState();
    expect(seen.join('\n')).not.toMatch(/not billed/);
    expect(seen.some((l) => l.startsWith('cancelling…'))).toBe(true);
    expect(seen.some((l) => l.startsWith('still running — will be billed'))).toBe(true);
    expect(statusLabel(s.run.nodes.gen!)).toBe('collected after stop — billed');
    expect(s.run.nodes.gen).toMatchObject({ status: 'done', collected: true });
    expect((s.results.gen!.outputs.images as unknown[]).length).toBe(3);
    expect(t.provider.calls.submit).toBe(1);
  });

  it('says "cancelled — not billed" only once the API confirmed the cancel', async () => {
    const t = createLedgerTestStore(paidWorkflow(3));
    t.provider.defaults = { queueMs: 5_000, runMs: 5_000, outputs: 3 };
    const seen = watchNode(t.store, 'gen');
    await t.clock.drive(t.store.getState().requestRun());
    const running = t.store.getState().confirmRun();
    await until(t.clock, () => t.store.getState().run.nodes.gen?.job?.record.state === 'queued');
    t.store.getState().stopRun();
    await t.clock.drive(running);
    await until(t.clock, () => t.store.getState().run.nodes.gen?.job?.record.state === 'cancelled');
    const firstNotBilled = seen.findIndex((l) => /not billed/.test(l));
    expect(seen.slice(0, firstNotBilled).some((l) => l.startsWith('cancelling…'))).toBe(true);
    expect(statusLabel(t.store.getState().run.nodes.gen!)).toBe('cancelled — not billed');
  });

  it('continues a run interrupted by a reload without asking, and never submits a paid node twice', async () => {
    const first = createLedgerTestStore(chainedWorkflow());
    first.provider.defaults = { queueMs: 1_000, runMs: 4_000, outputs: 2 };
    await first.clock.drive(first.store.getState().requestRun());
    void first.store.getState().confirmRun();
    await until(first.clock, () => first.store.getState().run.nodes.gen1?.job?.record.state === 'running');
    await flushMicrotasks();
    expect(first.world.runs.record?.runId).toBe(first.store.getState().run.runId);

    // The tab reloads: a new page on the same ledger, cache and run record; the old page is frozen.
    const second = createLedgerTestStore(chainedWorkflow(), { world: first.world });
    const report = await second.clock.drive(second.store.getState().recoverJobs());
    expect(report?.reattached.map((r) => r.jobId)).toEqual(['job-1']);
    const record = await second.store.getState().loadUnfinishedRun();
    expect(record?.runId).toBe(first.store.getState().run.runId);
    await second.clock.drive(second.store.getState().continueRun(record!));
    const s = second.store.getState();
    expect(s.pendingRun).toBeNull();
    expect(s.run).toMatchObject({ phase: 'succeeded', continued: true, runId: record!.runId });
    expect(s.notice?.text).toBe('Continuing the run started before the reload');
    expect(s.run.nodes.gen2!.status).toBe('done');
    expect(first.provider.calls.submit).toBe(2);
    expect(second.world.runs.record).toBeUndefined();
  });

  it('keeps the accepted run in the run record while it runs, and forgets it when it is stopped', async () => {
    const t = createLedgerTestStore(paidWorkflow(3));
    t.provider.defaults = { queueMs: 5_000, runMs: 5_000, outputs: 3 };
    await t.clock.drive(t.store.getState().requestRun());
    const running = t.store.getState().confirmRun();
    await until(t.clock, () => t.store.getState().run.nodes.gen?.job?.record.state === 'queued');
    expect(t.world.runs.record).toMatchObject({
      runId: t.store.getState().run.runId,
      workflow: paidWorkflow(3),
      held: {},
      estimate: { totalUsd: 0.12, paidJobs: 1, repay: [] },
    });
    t.store.getState().stopRun();
    await flushMicrotasks();
    // A stopped run is not continued after a reload.
    expect(t.world.runs.record).toBeUndefined();
    await t.clock.drive(running);
  });

  it('does not keep a free run for a reload', async () => {
    const t = createLedgerTestStore(paidWorkflow(3));
    let seen = false;
    t.store.subscribe(() => (seen ||= t.world.runs.record !== undefined));
    await t.clock.drive(t.store.getState().requestRun(['a']));
    expect(t.store.getState().run.phase).toBe('succeeded');
    expect(seen).toBe(false);
  });
});
