import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isApiError } from '../../app/api/errors';
import type { GenerationRequest } from '../../app/graph/generation';
import { JobLedger, type JobRecord } from '../../app/ledger';
import { PgAssetStore } from '../../app/server/pg/pg-asset-store';
import { PgLedgerStore } from '../../app/server/pg/pg-ledger-store';
import { pngHeader } from '../api/test-images';
import { FakeClock } from '../fixtures/fake-clock';
import { FakeProvider } from '../fixtures/fake-provider';
import { driveWithIo, pgClusterForFile } from './pg-fixtures';

const pg = pgClusterForFile();
const EPOCH = Date.UTC(2026, 11, 1);
const LEASE_MS = 60_000;
const request: GenerationRequest = {
  model: 'bytedance/seedream-4-5/edit-sequential',
  prompt: 'Generate 3 images of a fox',
  references: [{ kind: 'url', url: 'https://example.com/a.png' }],
  params: { maxImages: 3, resolution: '2048x2048 (1:1)', seed: 1 },
  maxOutputs: 3,
};

/** FakeProvider whose files are real image headers (the PostgreSQL asset store sniffs them). */
class PngProvider extends FakeProvider {
  private files_ = 0;
  override async download(url: string): Promise<Uint8Array> {
    await super.download(url);
    return pngHeader(100 + ++this.files_, 50, 500);
  }
}

/** One database, one provider and its clock ("the world"); workers are ledgers with their own pools. */
async function world() {
  const url = await pg.freshDatabase();
  const clock = new FakeClock();
  const provider = new PngProvider(clock);
  const store = await PgLedgerStore.open(pg.pool(url));
  let jobs = 0;
  const worker = async (id: string, workerClock = clock) => {
    const pool = pg.pool(url, 3);
    const ledger = new JobLedger({
      store: new PgLedgerStore(pool),
      provider,
      assets: new PgAssetStore(pool),
      clock: workerClock,
      wallNow: () => EPOCH + workerClock.now(),
      owner: { id },
      leaseMs: LEASE_MS,
      policy: { nextDelayMs: () => 1_000 },
      random: () => 0.5,
      newJobId: () => `job-${++jobs}`,
    });
    return { ledger, pool };
  };
  const generate = (ledger: JobLedger, cacheKey = 'key-1') =>
    ledger.generate(request, { signal: new AbortController().signal, job: { nodeId: 'n1', cacheKey } });
  return { url, clock, provider, store, worker, generate };
}

/** Resolves once the stored record satisfies `ok` (polled for real, at most 15 s). */
async function untilRecord(store: PgLedgerStore, jobId: string, ok: (r: JobRecord) => boolean): Promise<JobRecord> {
  for (let i = 0; i < 3_000; i++) {
    const r = await store.get(jobId);
    if (r && ok(r)) return r;
    await new Promise((res) => setTimeout(res, 5));
  }
  throw new Error(`job ${jobId} never reached the expected state`);
}

const assetCount = async (w: { store: PgLedgerStore }) => (await w.store.pool.query('SELECT count(*)::int AS n FROM assets')).rows[0].n as number;

describe('JobLedger on PostgreSQL', () => {
  it('commits the intent before the submit leaves, then stores every image in the database', async () => {
    const w = await world();
    const { ledger } = await w.worker('worker-a');
    const elsewhere = await pg.client(w.url);
    let atSubmit: unknown[] = [];
    // Holds the submit's reply until another connection has looked at the table.
    w.provider.onSubmit = () =>
      w.provider.submitScript.unshift({
        hold: elsewhere.query("SELECT job_id, rev, state, record->>'requestId' AS request_id, owner_id FROM job_ledger").then((r) => void (atSubmit = r.rows)),
      });
    const result = await driveWithIo(w.clock, w.generate(ledger));
    expect(atSubmit).toEqual([{ job_id: 'job-1', rev: 0, state: 'intent', request_id: null, owner_id: 'worker-a' }]);
    expect(w.provider.calls.submit).toBe(1);
    const r = (await w.store.get('job-1'))!;
    expect([r.state, r.requestId, r.outputs.length, r.outputs.every((o) => o.assetId && o.mime === 'image/png')]).toEqual(['stored', 'req-1', 3, true]);
    expect(result.images).toHaveLength(3);
    expect(await assetCount(w)).toBe(3);

    // Any machine can write the images out from the database.
    const reader = new PgAssetStore(pg.pool(w.url));
    const dir = await mkdtemp(join(tmpdir(), 'pg-ledger-out-'));
    try {
      for (const [i, image] of result.images.entries()) {
        if (image.kind !== 'asset') throw new Error('expected stored assets');
        const bytes = await reader.get(image);
        expect(bytes.length).toBe(500);
        await reader.export(image.assetId, join(dir, `${i}.png`));
        expect(new Uint8Array(await readFile(join(dir, `${i}.png`)))).toEqual(bytes);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    // Running the same work again reuses the stored images at $0.
    const again = await driveWithIo(w.clock, w.generate((await w.worker('worker-b')).ledger));
    expect([again.reused, w.provider.calls.submit]).toEqual([true, 1]);
  });

  it('re-attaches a dead worker’s job from its request id once the lease runs out, paying nothing again', async () => {
    const w = await world();
    w.provider.nextJob = { queueMs: 90_000 };
    // Worker A runs on a clock of its own that stops when it "dies": it never writes again.
    const frozen = new FakeClock();
    const a = await w.worker('worker-a', frozen);
    w.generate(a.ledger).catch(() => undefined);
    await driveWithIo(
      frozen,
      untilRecord(w.store, 'job-1', (r) => r.state === 'queued'),
    );
    const b = await w.worker('worker-b');
    expect(await w.store.expiredLeases(EPOCH + w.clock.now())).toEqual([]);
    expect((await b.ledger.recover()).elsewhere.map((r) => r.jobId)).toEqual(['job-1']);

    await w.clock.advance(LEASE_MS + 5_000);
    expect((await w.store.expiredLeases(EPOCH + w.clock.now())).map((r) => r.jobId)).toEqual(['job-1']);
    const report = await b.ledger.recover();
    expect(report.reattached.map((r) => [r.jobId, r.requestId])).toEqual([['job-1', 'req-1']]);
    const stored = await driveWithIo(
      w.clock,
      untilRecord(w.store, 'job-1', (r) => r.state === 'stored'),
    );
    expect([stored.owner?.id, w.provider.calls.submit, w.provider.calls.download, await assetCount(w)]).toEqual(['worker-b', 1, 3, 3]);
  });

  it('turns the intent of a worker that died mid-submit into an unknown submission that nobody resubmits', async () => {
    const w = await world();
    const a = await w.worker('worker-a');
    w.provider.submitScript.push({ hold: new Promise<void>(() => undefined) });
    w.generate(a.ledger).catch(() => undefined);
    await untilRecord(w.store, 'job-1', (r) => r.state === 'intent');
    const b = await w.worker('worker-b');
    await w.clock.advance(LEASE_MS + 1);
    expect((await b.ledger.recover()).orphaned.map((r) => r.jobId)).toEqual(['job-1']);
    expect((await w.store.get('job-1'))?.state).toBe('unknown-submission');
    const retried = await driveWithIo(w.clock, w.generate(b.ledger)).catch((e: unknown) => e);
    expect(isApiError(retried, 'repay-required')).toBe(true);
    expect(w.provider.calls.submit).toBe(1);
  });

  it('lets exactly one of two workers recovering at once follow an orphaned job', async () => {
    const w = await world();
    w.provider.nextJob = { queueMs: 90_000 };
    const frozen = new FakeClock();
    const a = await w.worker('worker-a', frozen);
    w.generate(a.ledger).catch(() => undefined);
    await driveWithIo(
      frozen,
      untilRecord(w.store, 'job-1', (r) => r.state === 'queued'),
    );
    const [b, c] = [await w.worker('worker-b'), await w.worker('worker-c')];
    await w.clock.advance(LEASE_MS + 5_000);
    // Both read the job as free to take; their ownership writes race and the revision check picks one.
    const reports = await Promise.all([b.ledger.recover(), c.ledger.recover()]);
    for (const r of reports) expect([...r.reattached, ...r.elsewhere].map((x) => x.jobId)).toEqual(['job-1']);
    const stored = await driveWithIo(
      w.clock,
      untilRecord(w.store, 'job-1', (r) => r.state === 'stored'),
    );
    expect(['worker-b', 'worker-c']).toContain(stored.owner?.id);
    // One follower: three downloads, three images, one submit.
    expect([w.provider.calls.submit, w.provider.calls.download, await assetCount(w)]).toEqual([1, 3, 3]);
    expect([...b.ledger.live(), ...c.ledger.live()]).toEqual([]);
  });
});
