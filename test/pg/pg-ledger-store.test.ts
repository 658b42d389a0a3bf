import { describe, expect, it } from 'vitest';
import { LedgerConflictError, type JobRecord } from '../../app/ledger';
import { PgLedgerStore, type UnreadableLedgerRow } from '../../app/server/pg/pg-ledger-store';
import { ENDPOINT, jobRecord as record, pgClusterForFile } from './pg-fixtures';

const pg = pgClusterForFile();

async function freshStore(onUnreadable?: (row: UnreadableLedgerRow) => void) {
  const url = await pg.freshDatabase();
  const store = await PgLedgerStore.open(pg.pool(url), { ...(onUnreadable ? { onUnreadable } : {}) });
  return { url, store };
}

const owner = (id: string, leaseUntil: number) => ({ id, leaseUntil });

describe('PgLedgerStore', () => {
  it('keeps records for another connection, newest first, and refuses a stale write', async () => {
    const { url, store } = await freshStore();
    await store.put(record());
    await store.put(record({ rev: 1, state: 'submitted', requestId: 'r1' }));
    await store.put(record({ jobId: 'job-2', createdAt: 5 }));
    const stale = store.put(record({ rev: 1, state: 'submitted' }));
    await expect(stale).rejects.toBeInstanceOf(LedgerConflictError);
    await expect(stale).rejects.toMatchObject({ jobId: 'job-1', expectedRev: 0, actualRev: 1 });
    const other = new PgLedgerStore(pg.pool(url));
    expect((await other.get('job-1'))?.requestId).toBe('r1');
    expect((await other.byCacheKey('k1')).map((r) => r.jobId)).toEqual(['job-2', 'job-1']);
    expect((await other.unfinished()).map((r) => r.jobId)).toEqual(['job-1', 'job-2']);
    expect((await other.list()).map((r) => [r.jobId, r.rev])).toEqual([
      ['job-2', 0],
      ['job-1', 1],
    ]);
    expect(await other.get('nope')).toBeUndefined();
  });

  it('refuses a first write of an existing job and a later write of a missing one', async () => {
    const { store } = await freshStore();
    await store.put(record());
    await expect(store.put(record())).rejects.toMatchObject({ code: 'ledger-conflict', expectedRev: -1, actualRev: 0 });
    await expect(store.put(record({ jobId: 'ghost', rev: 3 }))).rejects.toMatchObject({ code: 'ledger-conflict', expectedRev: 2, actualRev: undefined });
    expect((await store.get('job-1'))?.rev).toBe(0);
  });

  it('orders same-time records by job id and keeps other cache keys apart', async () => {
    const { store } = await freshStore();
    for (const jobId of ['b', 'a', 'c']) await store.put(record({ jobId, createdAt: 10 }));
    await store.put(record({ jobId: 'z', cacheKey: 'k2', createdAt: 99 }));
    expect((await store.byCacheKey('k1')).map((r) => r.jobId)).toEqual(['c', 'b', 'a']);
    expect((await store.byCacheKey('k2')).map((r) => r.jobId)).toEqual(['z']);
    expect((await store.list()).map((r) => r.jobId)).toEqual(['z', 'c', 'b', 'a']);
  });

  it('lists as unfinished the jobs that may still need work, partial stored ones included', async () => {
    const { store } = await freshStore();
    const states: [string, Partial<JobRecord>][] = [
      ['intent', { state: 'intent' }],
      ['queued', { state: 'queued', requestId: 'r' }],
      ['completed', { state: 'completed', requestId: 'r' }],
      ['stored', { state: 'stored', requestId: 'r' }],
      ['partial', { state: 'stored', partial: true, requestId: 'r' }],
      ['failed', { state: 'failed' }],
      ['unknown', { state: 'unknown-submission' }],
    ];
    for (const [i, [jobId, over]] of states.entries()) await store.put(record({ jobId, createdAt: i, ...over }));
    expect((await store.unfinished()).map((r) => r.jobId)).toEqual(['intent', 'queued', 'completed', 'partial']);
    // Finishing a job takes it off the list.
    await store.put(record({ jobId: 'queued', rev: 1, createdAt: 1, state: 'stored', requestId: 'r' }));
    expect((await store.unfinished()).map((r) => r.jobId)).toEqual(['intent', 'completed', 'partial']);
  });

  it('round-trips a full record exactly', async () => {
    const { store } = await freshStore();
    const full = record({
      state: 'stored',
      requestId: 'req-9',
      runId: 'run-1',
      batch: { batchId: 'b1', rowId: '0001' },
      sent: { url: 'https://x/models/m', bodyBytes: 123, images: ['h1'], prompt: 'A "quoted" prompt — ünïcode 🦊', params: { seed: 7, hd: true, size: '2K' } },
      outputs: [{ index: 0, url: 'https://f/0.png', assetId: 'a'.repeat(64), mime: 'image/png', width: 2, height: 3, attempts: 1 }],
      costUsd: 0.04,
      createdAt: 1764547200123,
      updatedAt: 1764547200456.5,
      owner: { id: 'worker:a', host: 'h', pid: 42, leaseUntil: 1764547260123 },
    });
    await store.put(full);
    expect(await store.get('job-1')).toEqual(full);
  });

  it('reports and skips a row that is not a job record', async () => {
    const seen: UnreadableLedgerRow[] = [];
    const { store } = await freshStore((row) => seen.push(row));
    await store.put(record());
    await store.put(record({ jobId: 'bad' }));
    await store.pool.query(`UPDATE job_ledger SET record = record - 'sent' WHERE job_id = 'bad'`);
    await store.put(record({ jobId: 'moved' }));
    await store.pool.query(`UPDATE job_ledger SET rev = 5 WHERE job_id = 'moved'`);
    expect((await store.list()).map((r) => r.jobId)).toEqual(['job-1']);
    expect(await store.get('bad')).toBeUndefined();
    expect(seen.map((s) => s.jobId).sort()).toEqual(['bad', 'moved']);
    expect(seen.find((s) => s.jobId === 'bad')?.problem).toMatch(/^sent: /);
    expect(seen.find((s) => s.jobId === 'moved')?.problem).toMatch(/revision 0, its row job moved revision 5/);
    // A bad row still blocks a new record of the same id: nothing is overwritten blindly.
    await expect(store.put(record({ jobId: 'bad' }))).rejects.toBeInstanceOf(LedgerConflictError);
  });

  it('refuses to write something that is not a job record', async () => {
    const { store } = await freshStore();
    await expect(store.put({ ...record(), state: 'weird' } as unknown as JobRecord)).rejects.toThrow(/not a valid job record \(state: /);
    expect(await store.list()).toEqual([]);
  });

  it('answers blocked earlier attempts of one endpoint, leaving out superseded and dismissed ones', async () => {
    const { store } = await freshStore();
    await store.put(record({ jobId: 'unknown', state: 'unknown-submission', createdAt: 1 }));
    await store.put(record({ jobId: 'expired', state: 'outputs-expired', requestId: 'r2', createdAt: 2 }));
    await store.put(record({ jobId: 'lost-elsewhere', state: 'lost', endpoint: 'https://other.test/v1', createdAt: 3 }));
    await store.put(record({ jobId: 'superseded', state: 'lost', supersededBy: 'unknown', createdAt: 4 }));
    await store.put(record({ jobId: 'dismissed', state: 'lost', dismissed: true, createdAt: 5 }));
    await store.put(record({ jobId: 'stored', state: 'stored', createdAt: 6 }));
    expect((await store.blocked(ENDPOINT)).map((r) => r.jobId)).toEqual(['expired', 'unknown']);
  });

  it('finds unfinished jobs whose owner lease ran out or that have no owner', async () => {
    const { store } = await freshStore();
    const now = 1_000_000;
    await store.put(record({ jobId: 'alive', createdAt: 1, state: 'queued', requestId: 'r1', owner: owner('w1', now + 1) }));
    await store.put(record({ jobId: 'expired', createdAt: 2, state: 'running', requestId: 'r2', owner: owner('w2', now - 1) }));
    await store.put(record({ jobId: 'at-now', createdAt: 3, state: 'intent', owner: owner('w2', now) }));
    await store.put(record({ jobId: 'unowned', createdAt: 4, state: 'submitted', requestId: 'r3' }));
    await store.put(record({ jobId: 'done', createdAt: 5, state: 'stored', requestId: 'r4', owner: owner('w2', 0) }));
    await store.put(record({ jobId: 'elsewhere', createdAt: 6, endpoint: 'https://other/v1', state: 'queued', requestId: 'r5' }));
    expect((await store.expiredLeases(now)).map((r) => r.jobId)).toEqual(['expired', 'at-now', 'unowned', 'elsewhere']);
    expect((await store.expiredLeases(now, { endpoint: ENDPOINT, limit: 2 })).map((r) => r.jobId)).toEqual(['expired', 'at-now']);
    expect((await store.expiredLeases(now + 2, { endpoint: ENDPOINT })).map((r) => r.jobId)).toEqual(['alive', 'expired', 'at-now', 'unowned']);
  });

  it('lets exactly one of two workers take over an expired job, every time', async () => {
    const { url } = await freshStore();
    const a = new PgLedgerStore(pg.pool(url, 2));
    const b = new PgLedgerStore(pg.pool(url, 2));
    const now = 5_000;
    for (let i = 0; i < 20; i++) {
      await a.put(record({ jobId: `j${i}`, state: 'running', requestId: `r${i}`, owner: owner('dead', now - 1) }));
    }
    for (let i = 0; i < 20; i++) {
      const [seenA, seenB] = await Promise.all([a.expiredLeases(now), b.expiredLeases(now)]);
      const mine = (rs: JobRecord[], who: string) => ({ ...rs.find((r) => r.jobId === `j${i}`)!, rev: 1, owner: owner(who, now + 60_000) });
      const outcomes = await Promise.allSettled([a.put(mine(seenA, 'a')), b.put(mine(seenB, 'b'))]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const lost = outcomes.find((o) => o.status === 'rejected');
      expect(lost?.status === 'rejected' && lost.reason).toBeInstanceOf(LedgerConflictError);
      const winner = outcomes[0]!.status === 'fulfilled' ? 'a' : 'b';
      expect((await a.get(`j${i}`))?.owner?.id).toBe(winner);
    }
    expect(await a.expiredLeases(now)).toEqual([]);
  });

  it('serialises many concurrent writers of one job: each revision is written once', async () => {
    const { url } = await freshStore();
    const stores = Array.from({ length: 4 }, () => new PgLedgerStore(pg.pool(url, 2)));
    await stores[0]!.put(record({ state: 'queued', requestId: 'r' }));
    let written = 0;
    for (let round = 1; round <= 10; round++) {
      const outcomes = await Promise.allSettled(stores.map((s, i) => s.put(record({ rev: round, state: 'queued', requestId: 'r', note: `writer ${i}` }))));
      written += outcomes.filter((o) => o.status === 'fulfilled').length;
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    }
    expect(written).toBe(10);
    expect((await stores[1]!.get('job-1'))?.rev).toBe(10);
  });
});
