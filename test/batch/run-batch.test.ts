import { describe, expect, it } from 'vitest';
import type { BatchEvent } from '../../app/batch/batch-summary';
import { planColumns, resolveRow } from '../../app/batch/resolve-row';
import { parseRows } from '../../app/batch/rows';
import { runBatch, type BatchRunRow } from '../../app/batch/run-batch';
import { SpendCap } from '../../app/batch/spend-cap';
import { rowFingerprint } from '../../app/batch/validate-rows';
import type { OutputSink } from '../../app/graph/node-definition';
import { fakeLedger } from './ledger-fixtures';
import { memoryImages, png, registry, template } from './batch-fixtures';

const scenes = template('character-scenes');

async function setup(n: number) {
  const t = fakeLedger();
  const images = memoryImages({ 'a.png': png(1) });
  const csv = ['id,character,scenes,maxImages', ...Array.from({ length: n }, (_, i) => `r${i + 1},a.png,Generate 2 images number ${i + 1},2`)].join('\n');
  const table = parseRows(csv, 'csv');
  const columns = planColumns(scenes, table.columns, registry);
  const rows: BatchRunRow[] = [];
  for (const row of table.rows) {
    const first = await resolveRow(scenes, columns, row, images.resolve);
    if (!first.ok) throw new Error('row does not resolve');
    rows.push({
      id: row.id,
      line: row.line,
      fingerprint: rowFingerprint(first.workflow),
      resolve: async () => {
        const r = await resolveRow(scenes, columns, row, images.resolve);
        if (!r.ok) throw new Error('row does not resolve');
        return r.workflow;
      },
    });
  }
  const saved = new Map<string, number>();
  const sinkFor = (rowId: string): OutputSink => ({
    save: async (list) => {
      saved.set(rowId, (saved.get(rowId) ?? 0) + list.length);
      return list.map((_, i) => `img_${i + 1}.png`);
    },
  });
  const events: BatchEvent[] = [];
  const run = (o: { concurrency: number; signal?: AbortSignal; rows?: BatchRunRow[] }) =>
    runBatch({
      batchId: 'b1',
      rows: o.rows ?? rows,
      registry,
      generation: new SpendCap({ inner: t.ledger, ledger: t.ledger, priceUsd: async () => 0.04 }),
      assets: images.assets,
      clock: t.clock,
      wallNow: () => t.clock.now(),
      openRow: async (row) => ({ sink: sinkFor(row.id), finish: async () => [`${row.id}/img_1.png`] }),
      concurrency: o.concurrency,
      ...(o.signal ? { signal: o.signal } : {}),
      onEvent: (e) => events.push(e),
    });
  return { ...t, rows, run, events, saved };
}

/** Most rows between row-start and row-done at once, from the events alone. */
function mostRunning(events: BatchEvent[]): number {
  let now = 0;
  let most = 0;
  for (const e of events) {
    if (e.type === 'row-start') most = Math.max(most, ++now);
    if (e.type === 'row-done') now--;
  }
  return most;
}

describe('runBatch', () => {
  it('runs every row, at most `concurrency` at once, each with its job ids, images and cost', async () => {
    const t = await setup(7);
    const result = await t.clock.drive(t.run({ concurrency: 3 }));
    expect(result).toEqual({ status: 'succeeded', succeeded: 7, failed: 0, interrupted: 0, notStarted: 0 });
    expect(mostRunning(t.events)).toBe(3);
    expect(t.provider.calls.submit).toBe(7);
    const done = t.events.filter((e) => e.type === 'row-done');
    expect(done).toHaveLength(7);
    expect(done[0]).toMatchObject({
      status: 'succeeded',
      jobIds: [expect.any(String)],
      requestIds: [expect.stringMatching(/^req-/)],
      files: [expect.any(String)],
    });
    expect(done.every((e) => e.type === 'row-done' && e.costUsd > 0)).toBe(true);
    expect(t.events.filter((e) => e.type === 'row-images')).toHaveLength(7);
    expect(t.store.records.get('job-1')?.batch).toMatchObject({ batchId: 'b1' });
    expect(t.events.at(-1)).toMatchObject({ type: 'batch-done', status: 'succeeded' });
  });

  it('keeps running the other rows when one fails', async () => {
    const t = await setup(3);
    t.provider.nextJob = { fail: 'content policy (fake)' };
    const result = await t.clock.drive(t.run({ concurrency: 1 }));
    expect(result).toMatchObject({ status: 'failed', succeeded: 2, failed: 1 });
    const failed = t.events.find((e) => e.type === 'row-done' && e.status === 'failed');
    expect(failed).toMatchObject({ rowId: 'r1', error: { nodeId: 'gen', requestId: 'req-1' }, requestIds: ['req-1'] });
  });

  it('submits nothing for a row whose input changed after it was checked', async () => {
    const t = await setup(2);
    const rows = t.rows.map((r, i) => (i === 0 ? { ...r, fingerprint: 'stale' } : r));
    const result = await t.clock.drive(t.run({ concurrency: 2, rows }));
    expect(result).toMatchObject({ succeeded: 1, failed: 1 });
    expect(t.events.find((e) => e.type === 'row-done' && e.rowId === 'r1')).toMatchObject({ error: { code: 'row-changed' } });
    expect(t.provider.calls.submit).toBe(1);
  });

  it('starts no more rows once stopped and reports the running ones as interrupted', async () => {
    const t = await setup(6);
    const stop = new AbortController();
    const running = t.run({ concurrency: 2, signal: stop.signal });
    for (let i = 0; i < 1_000 && t.provider.calls.submit < 2; i++) await t.clock.advance(10);
    stop.abort(new Error('stopped (test)'));
    const result = await t.clock.drive(running);
    expect(result).toEqual({ status: 'interrupted', succeeded: 0, failed: 0, interrupted: 2, notStarted: 4 });
    expect(t.events.filter((e) => e.type === 'row-done').map((e) => e.type === 'row-done' && e.requestIds)).toEqual([['req-1'], ['req-2']]);
    expect(t.provider.calls.submit).toBe(2);
  });
});
