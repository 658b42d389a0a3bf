import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LedgerConflictError, type JobRecord } from '../../app/ledger';
import { FileLedgerStore, LedgerLockedError } from '../../app/server/file-ledger-store';
import { localOwnerAlive, processOwner, processStartTime } from '../../app/server/owner-liveness';

const ENDPOINT = 'https://model-api.runcomfy.net/v1';
const record = (over: Partial<JobRecord> = {}): JobRecord => ({
  v: 1,
  jobId: 'job-1',
  rev: 0,
  provider: 'runcomfy',
  endpoint: ENDPOINT,
  model: 'm',
  nodeId: 'n1',
  cacheKey: 'k1',
  sent: { url: 'u', bodyBytes: 1, images: [], prompt: 'p', params: {} },
  referenceHashes: [],
  maxOutputs: 1,
  state: 'intent',
  partial: false,
  createdAt: 1,
  updatedAt: 1,
  outputs: [],
  ...over,
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ledger-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileLedgerStore', () => {
  it('keeps records across a reopen, newest first, and refuses a stale write', async () => {
    const { store } = await FileLedgerStore.open(dir, { endpoint: ENDPOINT });
    await store.put(record());
    await store.put(record({ rev: 1, state: 'submitted', requestId: 'r1' }));
    await store.put(record({ jobId: 'job-2', createdAt: 5, cacheKey: 'k1' }));
    await expect(store.put(record({ rev: 1, state: 'submitted' }))).rejects.toBeInstanceOf(LedgerConflictError);
    await store.close();
    const reopened = (await FileLedgerStore.open(dir, { endpoint: ENDPOINT })).store;
    expect((await reopened.get('job-1'))?.requestId).toBe('r1');
    expect((await reopened.byCacheKey('k1')).map((r) => r.jobId)).toEqual(['job-2', 'job-1']);
    expect((await reopened.unfinished()).map((r) => r.jobId)).toEqual(['job-1', 'job-2']);
    await reopened.close();
  });

  it('writes atomically: no temp files are left and every file parses', async () => {
    const { store } = await FileLedgerStore.open(dir, { endpoint: ENDPOINT });
    for (let i = 0; i < 20; i++) await store.put(record({ jobId: `j${i}` }));
    const names = await readdir(join(dir, 'ledger'));
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const files = names.filter((x) => x.endsWith('.json'));
    expect(files).toHaveLength(20);
    for (const n of files) expect(JSON.parse(await readFile(join(dir, 'ledger', n), 'utf8')).v).toBe(1);
    await store.close();
  });

  it('flushes each intent and shares folder flushes between intents written at once', async () => {
    const { store } = await FileLedgerStore.open(dir, { endpoint: ENDPOINT });
    const probe = await open(join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
    await probe.close();
    const sync = vi.spyOn(proto, 'sync');
    try {
      await Promise.all(Array.from({ length: 16 }, (_, i) => store.put(record({ jobId: `job-${i}`, cacheKey: `k${i}` }))));
      // 16 files, each flushed before its put resolved; the folder a few times for all of them, not 16.
      const folderFlushes = sync.mock.calls.length - 16;
      expect(folderFlushes).toBeGreaterThanOrEqual(1);
      expect(folderFlushes).toBeLessThanOrEqual(4);
      await store.close();
      const { store: again } = await FileLedgerStore.open(dir, { endpoint: ENDPOINT });
      expect((await again.list()).map((r) => r.state)).toEqual(Array.from({ length: 16 }, () => 'intent'));
      await again.close();
    } finally {
      sync.mockRestore();
      await store.close();
    }
  });

  it('refuses a second living process and takes over the lock of a dead one', async () => {
    await mkdir(join(dir, 'ledger'), { recursive: true });
    await writeFile(join(dir, 'ledger', '.lock'), JSON.stringify({ pid: process.ppid, host: hostname() }));
    await expect(FileLedgerStore.open(dir, { endpoint: ENDPOINT })).rejects.toBeInstanceOf(LedgerLockedError);
    await writeFile(join(dir, 'ledger', '.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname() }));
    const { store } = await FileLedgerStore.open(dir, { endpoint: ENDPOINT });
    expect(JSON.parse(await readFile(join(dir, 'ledger', '.lock'), 'utf8')).pid).toBe(process.pid);
    await store.close();
  });

  it('leaves files it cannot read in place and reports them', async () => {
    await mkdir(join(dir, 'ledger'), { recursive: true });
    await writeFile(join(dir, 'ledger', 'broken.json'), '{not json');
    const { store, unreadable } = await FileLedgerStore.open(dir, { endpoint: ENDPOINT });
    expect(unreadable.map((u) => u.file)).toEqual(['broken.json']);
    expect(await readdir(join(dir, 'ledger'))).toContain('broken.json');
    await store.close();
  });

  it('carries request ids of the old request journal over as records', async () => {
    await mkdir(join(dir, 'journal'), { recursive: true });
    const entry = {
      requestId: 'old-1',
      nodeId: 'n3',
      cacheKey: 'abc',
      submittedAt: 1000,
      request: { references: 2, prompt: 'Generate 2 images', maxImages: 2, resolution: '2K', seed: 1 },
      status: 'in-flight',
    };
    await writeFile(join(dir, 'journal', 'old-1.json'), JSON.stringify(entry));
    const { store, migrated } = await FileLedgerStore.open(dir, { endpoint: ENDPOINT });
    expect(migrated).toBe(1);
    const r = await store.get('journal-old-1');
    expect([r?.state, r?.requestId, r?.cacheKey, r?.endpoint]).toEqual(['submitted', 'old-1', 'abc', ENDPOINT]);
    expect(await readdir(join(dir, 'journal'))).toEqual([]);
    await store.close();
  });
});

describe('localOwnerAlive', () => {
  it('tells a living pid from a dead one on this host, and defers to the lease elsewhere', () => {
    expect(localOwnerAlive({ id: 'x', host: hostname(), pid: process.ppid, leaseUntil: 0 })).toBe(true);
    expect(localOwnerAlive({ id: 'x', host: hostname(), pid: 2 ** 22 + 12345, leaseUntil: 0 })).toBe(false);
    expect(localOwnerAlive({ id: 'x', host: 'elsewhere', pid: 1, leaseUntil: 0 })).toBeUndefined();
  });

  it('does not take a reused pid for the owner that died (the owner id carries the process start time)', () => {
    const parent = processStartTime(process.ppid);
    expect(parent).toMatch(/^\d+$/);
    expect(localOwnerAlive({ id: `cli:${hostname()}:${process.ppid}:${parent}`, host: hostname(), pid: process.ppid, leaseUntil: 0 })).toBe(true);
    expect(localOwnerAlive({ id: `cli:${hostname()}:${process.ppid}:1`, host: hostname(), pid: process.ppid, leaseUntil: 0 })).toBe(false);
    expect(processOwner('cli').id).toBe(`cli:${hostname()}:${process.pid}:${processStartTime(process.pid)}`);
  });
});
