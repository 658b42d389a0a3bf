import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { createIdbBatchStore } from '../../app/browser/idb-batch-store';
import { openStudioDB } from '../../app/browser/idb-database';
import { BATCH_RECORD_VERSION, MemoryBatchRecordStore, parseBatchRecord, type BatchRecord } from '../../app/store/batch-record';
import { testImage } from '../fixtures/fake-run-context';

let n = 0;
const opened: { close(): void }[] = [];
afterEach(() => opened.splice(0).forEach((db) => db.close()));

const record = (batchId: string, ownerId: string, updatedAt: number): BatchRecord => ({
  v: BATCH_RECORD_VERSION,
  batchId,
  ownerId,
  title: 'Storyboard',
  source: { kind: 'template', title: 'Storyboard' },
  workflow: {},
  columns: ['ref1', 'story'],
  rows: [{ key: 'k1', id: '0001', cells: { ref1: testImage(1), story: 'Generate 2 images' } }],
  files: { 'a.png': testImage(1) },
  concurrency: 3,
  phase: 'editing',
  outputs: {},
  sheet: {},
  createdAt: 1,
  updatedAt,
});

describe('batch record stores', () => {
  it('keeps each batch by id and finds the newest of a tab when several tabs have batches', async () => {
    const db = await openStudioDB(`batches-${++n}`);
    opened.push(db);
    for (const store of [createIdbBatchStore(db), new MemoryBatchRecordStore()]) {
      await store.save(record('b1', 'tab-1', 10));
      await store.save(record('b2', 'tab-1', 30));
      await store.save(record('b3', 'tab-2', 50));
      expect((await store.latest('tab-1'))?.batchId).toBe('b2');
      expect((await store.get('b1'))?.rows[0]?.cells.ref1).toEqual(testImage(1));
      await store.delete('b2');
      expect((await store.latest('tab-1'))?.batchId).toBe('b1');
      expect(await store.latest('tab-9')).toBeUndefined();
    }
  });

  it('skips a stored record of another shape when reading, and leaves it stored', async () => {
    const name = `batches-odd-${++n}`;
    const db = await openStudioDB(name);
    opened.push(db);
    await db.put('batches', { batchId: 'odd', ownerId: 'tab-1', v: 99 });
    const store = createIdbBatchStore(db);
    expect(await store.get('odd')).toBeUndefined();
    expect(await store.latest('tab-1')).toBeUndefined();
    expect(parseBatchRecord({ ...record('x', 't', 1), concurrency: 9 })).toBeUndefined();
    const raw = await openDB(name);
    opened.push(raw);
    expect(await raw.count('batches')).toBe(1);
  });
});
