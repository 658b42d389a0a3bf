import { describe, expect, it } from 'vitest';
import { ApiError, InvalidInputError } from '../../app/api/errors';
import { SpendCap, SpendCapError, type SpendState } from '../../app/batch/spend-cap';
import { fakeLedger, requestFor } from './ledger-fixtures';

function setup(capUsd: number | undefined, price: number | null = 0.04) {
  const t = fakeLedger();
  const states: SpendState[] = [];
  const cap = new SpendCap({
    inner: t.ledger,
    ledger: t.ledger,
    priceUsd: async () => price ?? undefined,
    ...(capUsd !== undefined ? { capUsd } : {}),
    onChange: (s) => states.push(s),
  });
  const go = (maxOutputs: number, key: string, signal = new AbortController().signal) =>
    cap.generate(requestFor(maxOutputs), { signal, job: { nodeId: 'gen', cacheKey: key } });
  return { ...t, cap, states, go };
}

const most = (states: SpendState[]) => Math.max(...states.map((s) => s.spentUsd + s.reservedUsd));

describe('SpendCap', () => {
  it('never lets spent + reserved pass the cap, and refuses what cannot fit', async () => {
    const t = setup(0.2);
    const all = await t.clock.drive(Promise.allSettled([t.go(3, 'a'), t.go(3, 'b'), t.go(3, 'c')]));
    expect(all.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    const refused = (all[1] as PromiseRejectedResult).reason;
    expect(refused).toBeInstanceOf(SpendCapError);
    expect((refused as Error).message).toMatch(/up to \$0\.12 \(3 image\(s\)\), and \$0\.12 is spent of the \$0\.20 cap/);
    expect(t.provider.calls.submit).toBe(1);
    expect(most(t.states)).toBeLessThanOrEqual(0.2);
    expect(t.cap.state()).toEqual({ spentUsd: 0.12, reservedUsd: 0, capUsd: 0.2 });
  });

  it('waits for jobs in flight to settle when their real cost could make room', async () => {
    const t = setup(0.2);
    t.provider.defaults = { ...t.provider.defaults, outputs: 1 };
    const all = await t.clock.drive(Promise.all([t.go(3, 'a'), t.go(3, 'b'), t.go(3, 'c')]));
    expect(all).toHaveLength(3);
    expect(t.provider.calls.submit).toBe(3);
    expect(most(t.states)).toBeLessThanOrEqual(0.2 + 1e-9);
    expect(t.cap.state().spentUsd).toBeCloseTo(0.12);
  });

  it('reserves nothing for work the ledger already has, and counts it at $0', async () => {
    const t = setup(0.12);
    await t.clock.drive(t.go(3, 'same'));
    const again = await t.clock.drive(t.go(3, 'same'));
    expect(again.reused).toBe(true);
    expect(t.provider.calls.submit).toBe(1);
    expect(t.cap.state().spentUsd).toBeCloseTo(0.12);
  });

  it('counts nothing for a job refused before it was created, its maximum for one that may be billed', async () => {
    const t = setup(undefined);
    t.provider.submitScript.push({ refuse: new ApiError('insufficient-balance', 'no money (fake)', { status: 402 }) });
    await expect(t.clock.drive(t.go(3, 'refused'))).rejects.toThrow(/no money/);
    expect(t.cap.state().spentUsd).toBe(0);
    t.provider.submitScript.push('unknown');
    await expect(t.clock.drive(t.go(2, 'unknown'))).rejects.toMatchObject({ code: 'unknown-submission' });
    expect(t.cap.state().spentUsd).toBeCloseTo(0.08);
  });

  it('counts nothing when the provider refuses the input before anything is sent', async () => {
    const t = setup(1);
    t.provider.prepare = async () => {
      throw new InvalidInputError('bad image (fake)');
    };
    await expect(t.clock.drive(t.go(3, 'bad'))).rejects.toThrow(/bad image/);
    expect(t.cap.state()).toMatchObject({ spentUsd: 0, reservedUsd: 0 });
  });

  it('refuses a capped job whose price is unknown', async () => {
    const t = setup(5, null);
    await expect(t.clock.drive(t.go(1, 'x'))).rejects.toThrow(/price .* is unknown/);
    expect(t.provider.calls.submit).toBe(0);
  });

  it('stops waiting when the row is stopped, leaving no reservation behind', async () => {
    const t = setup(0.2);
    t.provider.defaults = { ...t.provider.defaults, outputs: 1 };
    const stop = new AbortController();
    const first = t.go(3, 'a');
    const second = t.go(3, 'b', stop.signal);
    second.catch(() => undefined);
    await t.clock.advance(10);
    stop.abort(new Error('stopped (test)'));
    await expect(second).rejects.toThrow(/stopped/);
    await t.clock.drive(first);
    expect(t.cap.state().reservedUsd).toBe(0);
    expect(t.provider.calls.submit).toBe(1);
  });

  it("tags a row's jobs with the batch row and counts the row apart", async () => {
    const t = setup(undefined);
    t.provider.defaults = { ...t.provider.defaults, outputs: 2 };
    const row = t.cap.forRow({ batchId: 'b1', rowId: 'r1' });
    await t.clock.drive(row.generate(requestFor(2), { signal: new AbortController().signal, job: { nodeId: 'gen', cacheKey: 'k' } }));
    expect(t.store.records.get('job-1')?.batch).toEqual({ batchId: 'b1', rowId: 'r1' });
    expect(row.spentUsd()).toBeCloseTo(0.08);
  });

  it("counts a job the same row paid in an earlier run of the batch as the row's cost, without charging the cap again", async () => {
    const t = setup(undefined);
    t.provider.defaults = { ...t.provider.defaults, outputs: 2 };
    const opts = (key: string) => ({ signal: new AbortController().signal, job: { nodeId: 'gen', cacheKey: key } });
    await t.clock.drive(t.cap.forRow({ batchId: 'b1', rowId: 'r1' }).generate(requestFor(2), opts('k')));
    // The next run of the batch (a new process: a new cap on the same ledger) collects that row again.
    const again = new SpendCap({ inner: t.ledger, ledger: t.ledger, priceUsd: async () => 0.04, capUsd: 1 });
    const sameRow = again.forRow({ batchId: 'b1', rowId: 'r1' });
    const result = await t.clock.drive(sameRow.generate(requestFor(2), opts('k')));
    expect(result.reused).toBe(true);
    expect(sameRow.spentUsd()).toBeCloseTo(0.08);
    expect(again.state()).toEqual({ spentUsd: 0, reservedUsd: 0, capUsd: 1 });
    // Another row (or another batch) reusing the work pays nothing for it.
    const otherRow = again.forRow({ batchId: 'b1', rowId: 'r2' });
    await t.clock.drive(otherRow.generate(requestFor(2), opts('k')));
    const otherBatch = again.forRow({ batchId: 'b2', rowId: 'r1' });
    await t.clock.drive(otherBatch.generate(requestFor(2), opts('k')));
    expect([otherRow.spentUsd(), otherBatch.spentUsd()]).toEqual([0, 0]);
    expect(t.provider.calls.submit).toBe(1);
  });

  it('counts a job once for a row whose two nodes do the same work', async () => {
    const t = setup(undefined);
    t.provider.defaults = { ...t.provider.defaults, outputs: 2 };
    const row = t.cap.forRow({ batchId: 'b1', rowId: 'r1' });
    const opts = (nodeId: string) => ({ signal: new AbortController().signal, job: { nodeId, cacheKey: 'same' } });
    await t.clock.drive(Promise.all([row.generate(requestFor(2), opts('gen1')), row.generate(requestFor(2), opts('gen2'))]));
    await t.clock.drive(row.generate(requestFor(2), opts('gen3')));
    expect(t.provider.calls.submit).toBe(1);
    expect(row.spentUsd()).toBeCloseTo(0.08);
  });
});
