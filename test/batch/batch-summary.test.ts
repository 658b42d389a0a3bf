import { describe, expect, it } from 'vitest';
import { doneRows, parseBatchSummary, reduceBatch, withTotals, type BatchEvent, type BatchSummary } from '../../app/batch/batch-summary';

const T0 = Date.UTC(2026, 11, 1);

function summary(ids: string[]): BatchSummary {
  return withTotals({
    batchVersion: 1,
    batchId: 'b1',
    status: 'running',
    source: { origin: 'template:character-scenes' },
    rowsFile: '/tmp/rows.csv',
    mode: 'simulator',
    startedAt: new Date(T0).toISOString(),
    updatedAt: new Date(T0).toISOString(),
    totals: {
      rows: 0,
      queued: 0,
      running: 0,
      succeeded: 0,
      failed: 0,
      invalid: 0,
      skipped: 0,
      interrupted: 0,
      images: 0,
      costUsd: 0,
      maxCostUsd: 0.36,
      capUsd: 1,
    },
    problems: [],
    rows: ids.map((id, i) => ({ id, line: i + 2, status: 'queued', fingerprint: `fp-${id}`, requestIds: [], jobIds: [], costUsd: 0, files: [] })),
  });
}

describe('reduceBatch', () => {
  it('follows a row from queued to succeeded, keeping ids once and counting images and cost', () => {
    let s = summary(['a', 'b']);
    s = reduceBatch(s, { type: 'row-start', rowId: 'a', at: T0 + 1 });
    expect(s.totals).toMatchObject({ queued: 1, running: 1 });
    s = reduceBatch(s, { type: 'row-job', rowId: 'a', jobId: 'j1', at: T0 + 2 });
    s = reduceBatch(s, { type: 'row-job', rowId: 'a', jobId: 'j1', requestId: 'r1', at: T0 + 3 });
    expect(s.rows[0]).toMatchObject({ jobIds: ['j1'], requestIds: ['r1'] });
    s = reduceBatch(s, {
      type: 'row-done',
      rowId: 'a',
      status: 'succeeded',
      costUsd: 0.12,
      files: ['a/x_00001.png', 'a/x_00002.png'],
      requestIds: ['r1'],
      jobIds: ['j1'],
      at: T0 + 4,
    });
    expect(s.rows[0]).toMatchObject({ status: 'succeeded', costUsd: 0.12, requestIds: ['r1'], finishedAt: new Date(T0 + 4).toISOString() });
    expect(s.totals).toMatchObject({ rows: 2, succeeded: 1, queued: 1, images: 2, costUsd: 0.12, maxCostUsd: 0.36, capUsd: 1 });
    expect(parseBatchSummary(JSON.parse(JSON.stringify(s))).ok).toBe(true);
  });

  it('marks rows still running as interrupted when the batch is stopped, and leaves queued ones queued', () => {
    let s = summary(['a', 'b']);
    s = reduceBatch(s, { type: 'row-start', rowId: 'a', at: T0 });
    s = reduceBatch(s, { type: 'batch-done', status: 'interrupted', at: T0 + 1 });
    expect(s.rows.map((r) => r.status)).toEqual(['interrupted', 'queued']);
    expect(s.status).toBe('interrupted');
  });

  it('drops an earlier error when a row succeeds again, and ignores unknown rows', () => {
    let s = summary(['a']);
    s = { ...s, rows: [{ ...s.rows[0]!, status: 'failed', error: { code: 'x', message: 'old' } }] };
    s = reduceBatch(s, { type: 'row-done', rowId: 'a', status: 'succeeded', costUsd: 0, files: [], requestIds: [], jobIds: [], at: T0 });
    expect(s.rows[0]!.error).toBeUndefined();
    expect(reduceBatch(s, { type: 'row-start', rowId: 'zzz', at: T0 })).toBe(s);
  });
});

describe('reduceBatch totals', () => {
  it('equal a full recount after every event of a long mixed batch', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const ids = Array.from({ length: 40 }, (_, i) => `r${i}`);
    let s = summary(ids);
    for (let step = 0; step < 2_000; step++) {
      const rowId = ids[Math.floor(random() * ids.length)]!;
      const pick = random();
      const at = T0 + step;
      const e: BatchEvent =
        pick < 0.3
          ? { type: 'row-start', rowId, at }
          : pick < 0.5
            ? { type: 'row-job', rowId, jobId: `j${step % 7}`, ...(random() < 0.5 ? { requestId: `q${step % 5}` } : {}), at }
            : pick < 0.6
              ? { type: 'spend', spentUsd: step / 100, reservedUsd: 0, at }
              : {
                  type: 'row-done',
                  rowId,
                  status: random() < 0.6 ? 'succeeded' : random() < 0.5 ? 'failed' : 'interrupted',
                  costUsd: Math.round(random() * 1e7) / 1e8,
                  files: Array.from({ length: Math.floor(random() * 4) }, (_, k) =>
                    k === 0 && random() < 0.3 ? `${rowId}/x.jpg.json` : `${rowId}/x_${k}.png`,
                  ),
                  requestIds: [],
                  jobIds: [],
                  at,
                };
      s = reduceBatch(s, e);
      expect(s.totals).toEqual(withTotals(s).totals);
    }
    expect(s.totals.succeeded + s.totals.failed + s.totals.interrupted + s.totals.running + s.totals.queued).toBe(40);
  });
});

describe('parseBatchSummary', () => {
  const good = JSON.parse(JSON.stringify(summary(['a'])));
  it.each([
    ['a summary', good, true],
    ['another version', { ...good, batchVersion: 2 }, false],
    ['a row with an unknown status', { ...good, rows: [{ ...good.rows[0], status: 'done' }] }, false],
    ['not an object', 'batch', false],
  ])('reads %s: %s', (_name, value, ok) => {
    expect(parseBatchSummary(value).ok).toBe(ok);
  });
});

describe('doneRows', () => {
  it('lists succeeded rows with a fingerprint only', () => {
    const s = summary(['a', 'b', 'c']);
    s.rows[0]!.status = 'succeeded';
    s.rows[1]!.status = 'failed';
    const { fingerprint: _none, ...unprinted } = s.rows[2]!;
    s.rows[2] = { ...unprinted, status: 'succeeded' };
    expect([...doneRows(s).keys()]).toEqual(['a']);
    expect(doneRows(undefined).size).toBe(0);
  });
});
