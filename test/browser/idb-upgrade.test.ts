import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { createIdbCacheStore } from '../../app/browser/idb-cache-store';
import { DB_VERSION, openStudioDB } from '../../app/browser/idb-database';
import { createIdbHistoryStore } from '../../app/browser/idb-history-store';
import { createIdbLedgerStore } from '../../app/browser/idb-ledger-store';
import { createIdbTemplateStore } from '../../app/browser/idb-template-store';
import { createTabSync } from '../../app/browser/tab-sync';
import type { OldJournalEntry as JournalEntry } from '../../app/ledger';
import { restoreWorkflow } from '../../app/store/autosave';
import { HISTORY_ENTRY_VERSION, referencedAssetIds, type HistoryEntry } from '../../app/store/history-entry';
import { registry } from '../../nodes';
import { paidWorkflow } from '../fixtures/studio-store';
import { testImage } from '../fixtures/fake-run-context';

let n = 0;
const name = () => `upgrade-${++n}`;
const opened: { close(): void }[] = [];
afterEach(() => opened.splice(0).forEach((db) => db.close()));

const entry = (requestId: string, submittedAt: number, extra: Partial<JournalEntry> = {}): JournalEntry => ({
  requestId,
  nodeId: 'gen',
  cacheKey: `key-${requestId}`,
  submittedAt,
  request: { references: 2, prompt: 'Generate 2 images', maxImages: 2, resolution: '2048x2048 (1:1)', seed: 1 },
  status: 'in-flight',
  ...extra,
});

const historyEntry = (id: string, finishedAt: number, images = [testImage(1)]): HistoryEntry => ({
  v: HISTORY_ENTRY_VERSION,
  id,
  requestId: id,
  model: 'bytedance/seedream-4-5/edit-sequential',
  nodeId: 'gen',
  cacheKey: 'k',
  params: {},
  prompt: 'p',
  references: [],
  finishedAt,
  images,
  outputUrls: [],
  source: 'run',
});

describe('openStudioDB upgrade', () => {
  it('upgrades a version 1 database in place, keeping the workflow, assets and results', async () => {
    const dbName = name();
    const v1 = await openDB(dbName, 1, {
      upgrade(db) {
        db.createObjectStore('workflows');
        db.createObjectStore('assets', { keyPath: 'id' });
        db.createObjectStore('results');
      },
    });
    await v1.put('workflows', paidWorkflow(5), 'current');
    await v1.put('assets', { id: 'a'.repeat(64), bytes: new Uint8Array([1]), mime: 'image/png' });
    await v1.put('results', { outputs: { text: 'kept' }, meta: {} }, 'key-1');
    v1.close();

    const db = await openStudioDB(dbName);
    opened.push(db);
    expect(db.version).toBe(DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual([
      'assets',
      'batches',
      'history',
      'journal',
      'ledger',
      'results',
      'runs',
      'saved',
      'sessions',
      'settings',
      'templates',
      'workflows',
    ]);
    expect(await createIdbCacheStore(db).get('key-1')).toEqual({ outputs: { text: 'kept' }, meta: {} });
    expect((await db.get('assets', 'a'.repeat(64)))?.mime).toBe('image/png');
    // A workflow saved before revisions existed restores, at revision 0.
    const sync = createTabSync(db, { channel: null });
    const restored = await restoreWorkflow(sync.storage, registry);
    expect(restored.workflow?.nodes.find((x) => x.id === 'gen')?.params.maxImages).toBe(5);
    expect(sync.knownRevision()).toBe(0);
  });

  it('closes itself when another tab opens a newer version, and says so', async () => {
    const dbName = name();
    let told = 0;
    const db = await openStudioDB(dbName, { onVersionChange: () => told++ });
    const newer = await openDB(dbName, DB_VERSION + 1);
    opened.push(newer);
    expect(told).toBe(1);
    await expect(db.get('workflows', 'current')).rejects.toThrow();
  });
});

describe('openStudioDB upgrade to the ledger (v3)', () => {
  it('carries every readable request id of the old journal into the ledger under the given endpoint', async () => {
    const dbName = name();
    const v2 = await openDB(dbName, 2, {
      upgrade(db) {
        db.createObjectStore('workflows');
        db.createObjectStore('assets', { keyPath: 'id' });
        db.createObjectStore('results');
        db.createObjectStore('journal', { keyPath: 'requestId' });
        db.createObjectStore('templates', { keyPath: 'id' }).createIndex('updatedAt', 'updatedAt');
        db.createObjectStore('history', { keyPath: 'id' }).createIndex('finishedAt', 'finishedAt');
      },
    });
    await v2.put('journal', entry('r1', 1000));
    await v2.put('journal', entry('r2', 2000, { status: 'lost', message: 'gone' }));
    await v2.put('journal', { requestId: 'odd', what: 'future shape' });
    v2.close();

    const db = await openStudioDB(dbName, { journalEndpoint: '/api/v1' });
    opened.push(db);
    const ledger = createIdbLedgerStore(db);
    const records = await ledger.list();
    expect(records.map((r) => [r.jobId, r.state, r.requestId, r.endpoint])).toEqual([
      ['journal-r2', 'lost', 'r2', '/api/v1'],
      ['journal-r1', 'submitted', 'r1', '/api/v1'],
    ]);
    expect((await ledger.unfinished()).map((r) => r.jobId)).toEqual(['journal-r1']);
    expect((await ledger.byCacheKey('key-r1')).map((r) => r.requestId)).toEqual(['r1']);
    // The journal itself is kept (unreadable entries too): it may hold someone's paid job.
    expect(await db.count('journal')).toBe(3);
  });
});

describe('IndexedDB template and history stores', () => {
  it('lists templates newest first and skips unreadable records', async () => {
    const db = await openStudioDB(name());
    opened.push(db);
    const templates = createIdbTemplateStore(db);
    await templates.put({ v: 1, id: 't1', name: 'Old', createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z', workflow: {} });
    await templates.put({ v: 1, id: 't2', name: 'New', createdAt: '2024-02-01T00:00:00Z', updatedAt: '2024-02-01T00:00:00Z', workflow: {} });
    await db.put('templates', { id: 't3', updatedAt: '2024-03-01T00:00:00Z' } as never);
    expect((await templates.list()).map((t) => t.name)).toEqual(['New', 'Old']);
    await templates.delete('t1');
    expect(await templates.get('t1')).toBeUndefined();
  });

  it('lists history newest first, and reports every asset it needs kept', async () => {
    const db = await openStudioDB(name());
    opened.push(db);
    const history = createIdbHistoryStore(db);
    await history.put(historyEntry('a', 1, [testImage(1), testImage(2)]));
    await history.put(historyEntry('b', 3, [testImage(3)]));
    await history.put(historyEntry('a', 1, [testImage(1), testImage(2)]));
    expect((await history.list()).map((e) => e.id)).toEqual(['b', 'a']);
    expect(await referencedAssetIds(history)).toEqual(new Set([testImage(1).assetId, testImage(2).assetId, testImage(3).assetId]));
  });
});
