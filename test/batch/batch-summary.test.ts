import { describe, expect, it } from 'vitest';
import { doneRows, parseBatchSummary, reduceBatch, withTotals, type BatchSummary } from '../../app/batch/batch-summary';

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
