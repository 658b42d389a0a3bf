import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openStudioDB } from '../../app/browser/idb-database';
import { createIdbLedgerStore } from '../../app/browser/idb-ledger-store';
import { createIdbRunStore } from '../../app/browser/idb-run-store';
import { createIdbRunTimeStore } from '../../app/browser/idb-run-time-store';
import { RunTimeModel } from '../../app/api/run-time-model';
import { LedgerConflictError } from '../../app/ledger';
import { RUN_RECORD_VERSION, type RunRecord } from '../../app/store/run-record';
import { jobRecord, storedRecord } from '../fixtures/job-records';
import { paidWorkflow } from '../fixtures/studio-store';

let n = 0;
const opened: { close(): void }[] = [];
afterEach(() => opened.splice(0).forEach((db) => db.close()));
async function freshDb() {
  const db = await openStudioDB(`ledger-${++n}`);
  opened.push(db);
  return db;
}

describe('IndexedDB ledger store', () => {
  it('writes revision after revision and refuses a write made from a stale copy', async () => {
    const store = createIdbLedgerStore(await freshDb());
    await store.put(jobRecord('j1'));
    await store.put(jobRecord('j1', { rev: 1, state: 'running' }));
    await expect(store.put(jobRecord('j1', { rev: 1, state: 'cancelled' }))).rejects.toBeInstanceOf(LedgerConflictError);
    await expect(store.put(jobRecord('j2', { rev: 3 }))).rejects.toBeInstanceOf(LedgerConflictError);
    expect(await store.get('j1')).toMatchObject({ rev: 1, state: 'running' });
    expect(await store.get('j2')).toBeUndefined();
  });

  it('finds every record of one piece of work newest first, and what is unfinished oldest first', async () => {
    const store = createIdbLedgerStore(await freshDb());
    await store.put(jobRecord('old', { createdAt: 100, state: 'lost' }));
    await store.put(jobRecord('new', { createdAt: 300 }));
    await store.put(storedRecord('done', { createdAt: 200, cacheKey: 'other' }));
    await store.put(storedRecord('partial', { createdAt: 50, cacheKey: 'other', partial: true }));
    expect((await store.byCacheKey('key-gen')).map((r) => r.jobId)).toEqual(['new', 'old']);
    expect((await store.unfinished()).map((r) => r.jobId)).toEqual(['partial', 'new']);
    expect((await store.list()).map((r) => r.jobId)).toEqual(['new', 'done', 'old', 'partial']);
  });

  it('leaves records it cannot read in place, and does not list them', async () => {
    const db = await freshDb();
    await db.put('ledger', { jobId: 'future', v: 99, cacheKey: 'key-gen' } as never);
    const store = createIdbLedgerStore(db);
    expect(await store.list()).toEqual([]);
    expect(await store.byCacheKey('key-gen')).toEqual([]);
    expect(await db.get('ledger', 'future')).toBeDefined();
  });
});

describe('IndexedDB run and run-time stores', () => {
  const run = (runId: string): RunRecord => ({ v: RUN_RECORD_VERSION, runId, startedAt: 1, workflow: paidWorkflow(2), held: {} });

  it('keeps one run in progress per tab, and clears it only for its own run id', async () => {
    const db = await freshDb();
    const mine = createIdbRunStore(db, 'tab-a');
    const theirs = createIdbRunStore(db, 'tab-b');
    await mine.save(run('r1'));
    await theirs.save(run('r9'));
    await mine.save(run('r2'));
    await mine.clear('r1');
    expect((await mine.load())?.runId).toBe('r2');
    await mine.clear('r2');
    expect(await mine.load()).toBeUndefined();
    expect((await theirs.load())?.runId).toBe('r9');
  });

  it('keeps learned run times across pages', async () => {
    const db = await freshDb();
    const store = createIdbRunTimeStore(db);
    expect(await store.load()).toBeUndefined();
    const model = new RunTimeModel();
    model.observe({ maxImages: 3, resolution: '2K' }, 40_000);
    await store.save(model.snapshot());
    expect(await store.load()).toEqual(model.snapshot());
  });
});
