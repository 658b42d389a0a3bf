import { describe, expect, it } from 'vitest';
import { ApiError, isApiError } from '../../app/api/errors';
import type { GenerationRequest, GenerationResult, ProgressDetail } from '../../app/graph/generation';
import { billingOf, JobLedger, LedgerConflictError, MemoryLedgerStore, type JobLedgerOptions, type JobRecord, type LedgerUpdate } from '../../app/ledger';
import { FakeClock } from '../fixtures/fake-clock';
import { CountingAssets, FakeProvider } from '../fixtures/fake-provider';

const EPOCH = Date.UTC(2026, 11, 1);
const request: GenerationRequest = {
  model: 'bytedance/seedream-4-5/edit-sequential',
  prompt: 'Generate 3 images of a fox',
  references: [{ kind: 'url', url: 'https://example.com/a.png' }],
  params: { maxImages: 3, resolution: '2048x2048 (1:1)', seed: 1 },
  maxOutputs: 3,
};
const fixedPolicy = { nextDelayMs: () => 1_000 };

function setup(over: Partial<JobLedgerOptions> = {}, shared?: { clock: FakeClock; provider: FakeProvider; store: MemoryLedgerStore; assets: CountingAssets }) {
  const clock = shared?.clock ?? new FakeClock();
  const provider = shared?.provider ?? new FakeProvider(clock);
  const store = shared?.store ?? new MemoryLedgerStore();
  const assets = shared?.assets ?? new CountingAssets();
  const updates: LedgerUpdate[] = [];
  let n = 0;
  const ledger = new JobLedger({
    store,
    provider,
    assets,
    clock,
    wallNow: () => EPOCH + clock.now(),
    owner: { id: 'owner-a' },
    policy: fixedPolicy,
    random: () => 0.5,
    newJobId: () => `job-${++n}`,
    repayHint: (id) => `re-run with --repay ${id}`,
    ...over,
  });
  ledger.subscribe((u) => updates.push(u));
  const progress: { detail: ProgressDetail; message: string }[] = [];
  const generate = (signal = new AbortController().signal, cacheKey = 'key-1') =>
    ledger.generate(request, { signal, job: { nodeId: 'n1', cacheKey }, onProgress: (detail, message) => progress.push({ detail, message }) });
  return { clock, provider, store, assets, ledger, updates, progress, generate, shared: { clock, provider, store, assets } };
}

const messages = (updates: LedgerUpdate[]) => updates.map((u) => u.message).filter((m): m is string => !!m);
const states = (store: MemoryLedgerStore, jobId = 'job-1') => store.writes.filter((w) => w.jobId === jobId).map((w) => w.state);

/** When each read of the job reached the provider, counted from the submit's reply. */
function readsAfterReply(provider: FakeProvider, clock: FakeClock): () => number[] {
  const reads: number[] = [];
  const read = provider.read.bind(provider);
  provider.read = (id, want) => {
    reads.push(clock.now());
    return read(id, want);
  };
  let repliedAt = NaN;
  provider.onSubmit = () => (repliedAt = clock.now());
  return () => reads.map((r) => r - repliedAt);
}

async function failure(clock: FakeClock, p: Promise<unknown>): Promise<ApiError> {
  try {
    await clock.drive(p);
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('JobLedger', () => {
  // Three images that arrive together: each stored as it comes, the last one's write also settles the downloads.
  it('writes the intent before the submit leaves, then records every state up to stored', async () => {
    const t = setup();
    t.provider.nextJob = { queueMs: 2_500 };
    let onDiskAtSubmit: JobRecord | undefined;
    t.provider.onSubmit = () => (onDiskAtSubmit = [...t.store.records.values()][0]);
    const result = await t.clock.drive(t.generate());
    expect(onDiskAtSubmit?.state).toBe('intent');
    expect(onDiskAtSubmit?.requestId).toBeUndefined();
    expect(states(t.store)).toEqual(['intent', 'submitted', 'queued', 'running', 'completed', 'completed', 'completed', 'stored']);
    expect(result.images).toHaveLength(3);
    expect(result.missing).toEqual([]);
    expect(result.reused).toBe(false);
    expect(t.provider.calls.submit).toBe(1);
    const r = t.store.records.get('job-1')!;
    expect(r.outputs.every((o) => o.assetId)).toBe(true);
    expect(r.costUsd).toBeCloseTo(0.12);
    expect(billingOf(r)).toBe('billed');
  });

  it('keeps the last record of jobs it followed here (a few hundred), for a report of the run without a store read', async () => {
    const t = setup();
    t.provider.nextJob = { queueMs: 0, runMs: 1_000, outputs: 1 };
    const live = t.generate();
    await t.clock.advance(500);
    // While it runs: the record as the ledger holds it.
    expect(t.ledger.recentRecord('job-1')?.state).toMatch(/^(submitted|running)$/);
    await t.clock.drive(live);
    expect(t.ledger.recentRecord('job-1')).toEqual(t.store.records.get('job-1'));
    expect(t.ledger.recentRecord('job-2')).toBeUndefined();
    for (let i = 2; i <= 257; i++) {
      t.provider.nextJob = { queueMs: 0, runMs: 0, outputs: 1 };
      await t.clock.drive(t.generate(undefined, `key-${i}`));
    }
    // The oldest of 257 is no longer kept (a store read finds it); the newest are.
    expect(t.ledger.recentRecord('job-1')).toBeUndefined();
    expect(t.ledger.recentRecord('job-2')?.state).toBe('stored');
    expect(t.ledger.recentRecord('job-257')?.state).toBe('stored');
    expect((await t.ledger.get('job-1'))?.state).toBe('stored');
  });

  it('never records image bytes, only what was sent and reference hashes', async () => {
    const t = setup();
    await t.clock.drive(t.generate());
    const r = t.store.records.get('job-1')!;
    expect(JSON.stringify(r)).not.toContain('base64');
    expect(r.sent.prompt).toBe(request.prompt);
    expect(r.referenceHashes).toHaveLength(1);
  });

  it('reuses stored images for the same work instead of paying again', async () => {
    const t = setup();
    await t.clock.drive(t.generate());
    const again = await t.clock.drive(t.generate());
    expect(again.reused).toBe(true);
    expect(again.images).toHaveLength(3);
    expect(t.provider.calls.submit).toBe(1);
  });

  it('joins a job already in flight for the same work (one submit for two callers)', async () => {
    const t = setup();
    const [a, b] = await t.clock.drive(Promise.all([t.generate(), t.generate()]));
    expect(t.provider.calls.submit).toBe(1);
    expect(a.jobId).toBe(b.jobId);
    expect(b.reused).toBe(true);
  });

  it('turns an intent left by a dead process into an unknown submission that is never resubmitted on its own', async () => {
    const t = setup();
    let release!: () => void;
    t.provider.submitScript.push({ hold: new Promise<void>((r) => (release = r)) });
    void t.generate().catch(() => undefined);
    await t.clock.advance(10);
    expect(t.store.records.get('job-1')?.state).toBe('intent');
    // The process dies here (kill -9): a new one starts on the same store.
    const next = setup({ owner: { id: 'owner-b' }, isOwnerAlive: () => false, newJobId: () => 'job-2' }, t.shared);
    const report = await next.ledger.recover();
    expect(report.orphaned.map((r) => r.jobId)).toEqual(['job-1']);
    expect(t.store.records.get('job-1')?.state).toBe('unknown-submission');
    expect(billingOf(t.store.records.get('job-1')!)).toBe('may-be-billed');
    const refused = await failure(next.clock, next.generate());
    expect(refused.code).toBe('repay-required');
    expect(refused.message).toContain('--repay job-1');
    expect(refused.message).toContain('may have been created and billed');
    expect(t.provider.calls.submit).toBe(1);
    // The explicit choice, naming the earlier attempt, pays again once.
    next.ledger.allowRepay('job-1');
    const paid = await next.clock.drive(next.generate());
    expect(paid.jobId).toBe('job-2');
    expect(t.provider.calls.submit).toBe(2);
    expect(t.store.records.get('job-1')?.supersededBy).toBe('job-2');
    expect(t.store.records.get('job-2')?.repayOf).toBe('job-1');
    release();
  });

  it('records an ambiguous submit as unknown and says how to pay again', async () => {
    const t = setup();
    t.provider.submitScript.push('unknown');
    const e = await failure(t.clock, t.generate());
    expect(e.code).toBe('unknown-submission');
    expect(e.message).toContain('--repay job-1');
    expect(t.store.records.get('job-1')?.state).toBe('unknown-submission');
    const again = await failure(t.clock, t.generate());
    expect(again.code).toBe('repay-required');
    expect(t.provider.calls.submit).toBe(1);
  });

  it('says not billed for a refused submit, and lets the work run again', async () => {
    const t = setup();
    t.provider.submitScript.push({ refuse: new ApiError('insufficient-balance', 'Top up the account.', { status: 402 }) });
    const e = await failure(t.clock, t.generate());
    expect(e.code).toBe('insufficient-balance');
    const r = t.store.records.get('job-1')!;
    expect(r.state).toBe('failed');
    expect(billingOf(r)).toBe('not-billed');
    await t.clock.drive(t.generate());
    expect(t.provider.calls.submit).toBe(2);
  });

  it('keeps the images that arrived when one download fails, and fetches the missing one later for free', async () => {
    const t = setup();
    t.provider.defaults.outputs = 4;
    t.provider.files.set('*#2', 'fail');
    const result = await t.clock.drive(t.generate());
    expect(result.images).toHaveLength(3);
    expect(result.missing).toEqual([expect.objectContaining({ index: 2, url: expect.stringContaining('/2.png') })]);
    const r = t.store.records.get('job-1')!;
    expect(r.state).toBe('stored');
    expect(r.partial).toBe(true);
    expect(r.outputs[2]?.attempts).toBe(4);
    expect(t.progress.some((p) => p.message.includes('1 image of 4 could not be fetched') && p.message.includes('/2.png'))).toBe(true);
    t.provider.files.delete('*#2');
    const again = await t.clock.drive(t.generate());
    expect(again.images).toHaveLength(4);
    expect(again.missing).toEqual([]);
    expect(t.store.records.get('job-1')?.partial).toBe(false);
    expect(t.provider.calls.submit).toBe(1);
  });

  it('marks a job whose images all expired as outputs-expired: billed, and paying again needs the choice', async () => {
    const t = setup();
    t.provider.files.set('*#0', 'expired');
    t.provider.files.set('*#1', 'expired');
    t.provider.files.set('*#2', 'expired');
    const e = await failure(t.clock, t.generate());
    expect(e.code).toBe('repay-required');
    expect(e.message).toContain('was billed, but its images expired');
    const r = t.store.records.get('job-1')!;
    expect(r.state).toBe('outputs-expired');
    expect(billingOf(r)).toBe('billed');
    const again = await failure(t.clock, t.generate());
    expect(again.code).toBe('repay-required');
    expect(t.provider.calls.submit).toBe(1);
  });

  it('rides out 200+error_code, unknown state words and a 90-s Retry-After without abandoning a billed job', async () => {
    const t = setup();
    t.provider.defaults.queueMs = 0;
    t.provider.readScript.push(
      new ApiError('api-error', 'RunComfy reported an error (HTTP 200, error_code 500001)', { status: 200, apiCode: '500001', retryable: true }),
      { word: 'starting' },
      new ApiError('rate-limited', 'too many requests', { status: 429, retryAfterMs: 90_000 }),
      new ApiError('upstream-unavailable', 'down', { status: 503 }),
    );
    const result = await t.clock.drive(t.generate());
    expect(result.images).toHaveLength(3);
    expect(t.clock.sleeps).toContain(90_000);
    const said = t.progress.map((p) => p.message);
    expect(said.some((m) => m.includes('"starting"'))).toBe(true);
    expect(said.some((m) => m.includes('HTTP 429') && m.includes('next try in 90 s'))).toBe(true);
    expect(t.progress.some((p) => p.detail.retrying)).toBe(true);
  });

  it('says "cancelling" until the API answers and never "not billed" when the cancel is refused', async () => {
    const t = setup({ onStop: 'collect' });
    t.provider.nextJob = { queueMs: 60_000, refuseCancel: true };
    const ac = new AbortController();
    const run = t.generate(ac.signal);
    await t.clock.advance(3_000);
    expect(t.store.records.get('job-1')?.state).toBe('queued');
    ac.abort(new Error('Stopped by the user'));
    const result = await t.clock.drive(run);
    const said = messages(t.updates);
    const cancelling = said.findIndex((m) => m.startsWith('Cancelling'));
    const refused = said.findIndex((m) => m.includes('Could not cancel'));
    expect(cancelling).toBeGreaterThanOrEqual(0);
    expect(refused).toBeGreaterThan(cancelling);
    expect(said.join('\n')).not.toMatch(/not billed/);
    expect(said[refused]).toContain('it will be billed');
    expect(result.images).toHaveLength(3);
    expect(t.store.records.get('job-1')?.cancel?.outcome).toBe('not_cancellable');
  });

  it('says not billed only after the API confirms the cancel', async () => {
    const t = setup();
    t.provider.nextJob = { queueMs: 60_000 };
    const ac = new AbortController();
    const run = t.generate(ac.signal);
    await t.clock.advance(3_000);
    ac.abort();
    const e = await failure(t.clock, run);
    expect(e.code).toBe('cancelled');
    const r = t.store.records.get('job-1')!;
    expect(r.state).toBe('cancelled');
    expect(r.cancel?.outcome).toBe('cancelled');
    expect(billingOf(r)).toBe('not-billed');
    const said = messages(t.updates);
    expect(said.findIndex((m) => m.includes('not billed'))).toBeGreaterThan(said.findIndex((m) => m.startsWith('Cancelling')));
  });

  it('stops one job by id and leaves the others followed', async () => {
    const t = setup();
    t.provider.defaults = { queueMs: 60_000, runMs: 5_000, outputs: 1 };
    const a = t.generate(undefined, 'key-a').catch((e: unknown) => e);
    const b = t.generate(undefined, 'key-b');
    await t.clock.advance(3_000);
    expect(t.ledger.stop('job-1')).toBe(true);
    expect(t.ledger.stop('nope')).toBe(false);
    expect(((await t.clock.drive(a)) as ApiError).code).toBe('cancelled');
    expect((await t.clock.drive(b)).images).toHaveLength(1);
  });

  it('in detach mode leaves a running job recorded for the next run, which collects it without paying again', async () => {
    const t = setup({ onStop: 'detach' });
    t.provider.nextJob = { queueMs: 0, runMs: 60_000 };
    const ac = new AbortController();
    const run = t.generate(ac.signal);
    await t.clock.advance(5_000);
    ac.abort();
    const e = await failure(t.clock, run);
    expect(e.code).toBe('still-running');
    expect(e.message).toContain('will be billed');
    const r = t.store.records.get('job-1')!;
    expect(r.state).toBe('running');
    expect(r.owner).toBeUndefined();
    const next = setup({ owner: { id: 'owner-b' }, newJobId: () => 'job-2' }, t.shared);
    const report = await next.ledger.recover();
    expect(report.reattached.map((x) => x.jobId)).toEqual(['job-1']);
    const result = await next.clock.drive(next.generate());
    expect(result.jobId).toBe('job-1');
    expect(result.images).toHaveLength(3);
    expect(t.provider.calls.submit).toBe(1);
  });

  it('marks a request the API no longer knows as lost and never resubmits it silently', async () => {
    const t = setup();
    t.provider.nextJob = { queueMs: 0, runMs: 10_000 };
    const run = t.generate();
    await t.clock.advance(2_500);
    t.provider.jobs.clear();
    const e = await failure(t.clock, run);
    expect(e.code).toBe('not-found');
    expect(t.store.records.get('job-1')?.state).toBe('lost');
    const again = await failure(t.clock, t.generate());
    expect(again.code).toBe('repay-required');
    expect(t.provider.calls.submit).toBe(1);
  });

  it('lets the work run again after a definitive failure at the API', async () => {
    const t = setup();
    t.provider.nextJob = { fail: 'NSFW' };
    const e = await failure(t.clock, t.generate());
    expect(e.code).toBe('job-failed');
    expect(e.message).toContain('NSFW');
    expect(billingOf(t.store.records.get('job-1')!)).toBe('unknown');
    await t.clock.drive(t.generate());
    expect(t.provider.calls.submit).toBe(2);
  });

  it('stops waiting at the deadline but keeps the job recorded, and a later run re-attaches', async () => {
    const t = setup({ deadlineMs: 60_000 });
    t.provider.nextJob = { queueMs: 0, runMs: 600_000 };
    const e = await failure(t.clock, t.generate());
    expect(e.code).toBe('deadline');
    expect(t.store.records.get('job-1')?.state).toBe('running');
    await t.clock.advance(600_000);
    const result: GenerationResult = await t.clock.drive(t.generate());
    expect(result.jobId).toBe('job-1');
    expect(t.provider.calls.submit).toBe(1);
  });

  it('waits for a job another living process follows, and takes it over when that owner dies', async () => {
    const t = setup({ onStop: 'detach' });
    t.provider.nextJob = { queueMs: 0, runMs: 30_000 };
    const ac = new AbortController();
    const first = t.generate(ac.signal).catch((e: unknown) => e);
    await t.clock.advance(3_000);
    // Owner A still holds the lease; B must not submit or poll it, only watch.
    let aliveA = true;
    const b = setup({ owner: { id: 'owner-b' }, isOwnerAlive: (o) => (o.id === 'owner-a' ? aliveA : undefined), newJobId: () => 'job-2' }, t.shared);
    const waiting = b.generate();
    await t.clock.advance(5_000);
    expect(t.provider.calls.submit).toBe(1);
    aliveA = false;
    ac.abort();
    await t.clock.drive(first);
    const result = await t.clock.drive(waiting);
    expect(result.jobId).toBe('job-1');
    expect(t.provider.calls.submit).toBe(1);
  });

  it('fails before paying when the intent cannot be written', async () => {
    const t = setup();
    t.store.put = async () => {
      throw new Error('disk full');
    };
    await expect(t.clock.drive(t.generate())).rejects.toThrow(/nothing was submitted.*disk full/);
    expect(t.provider.calls.submit).toBe(0);
  });

  it('does not give up on a billed job when later ledger writes fail', async () => {
    const logs: string[] = [];
    const t = setup({ log: (_l, m) => logs.push(m) });
    const put = t.store.put.bind(t.store);
    let writes = 0;
    t.store.put = async (r) => {
      writes++;
      if (writes === 3) throw new Error('disk full');
      return put(r);
    };
    const result = await t.clock.drive(t.generate());
    expect(result.images).toHaveLength(3);
    expect(logs.some((m) => m.includes('disk full') && m.includes('Still following'))).toBe(true);
    expect(t.store.records.get('job-1')?.state).toBe('stored');
  });

  it('answers lookups for cost estimates: none, in flight, stored, blocked', async () => {
    const t = setup();
    expect((await t.ledger.lookup('key-1')).kind).toBe('none');
    const run = t.generate();
    await t.clock.advance(10);
    expect((await t.ledger.lookup('key-1')).kind).toBe('in-flight');
    await t.clock.drive(run);
    expect((await t.ledger.lookup('key-1')).kind).toBe('stored');
    t.provider.submitScript.push('unknown');
    await failure(t.clock, t.generate(undefined, 'key-2'));
    expect((await t.ledger.lookup('key-2')).kind).toBe('blocked');
    t.ledger.allowRepay('job-2');
    expect((await t.ledger.lookup('key-2')).kind).toBe('none');
  });

  it('is an error of the table for every refusal it throws', async () => {
    const t = setup();
    t.provider.submitScript.push('unknown');
    const e = await failure(t.clock, t.generate());
    expect(isApiError(e)).toBe(true);
    expect(e.retryable).toBe(false);
  });

  it('stores the last image and settles the downloads in one write', async () => {
    const t = setup();
    t.provider.nextJob = { outputs: 1 };
    const result = await t.clock.drive(
      t.ledger.generate(
        { ...request, maxOutputs: 1, params: { ...request.params, maxImages: 1 } },
        { signal: new AbortController().signal, job: { nodeId: 'n1', cacheKey: 'one' } },
      ),
    );
    expect(result.images).toHaveLength(1);
    expect(states(t.store)).toEqual(['intent', 'submitted', 'running', 'completed', 'stored']);
    expect(t.store.records.get('job-1')!.outputs[0]!.assetId).toBeDefined();
  });

  it('counts poll gaps from the submit reply and from each read, not from when the answer was written', async () => {
    const clock = new FakeClock();
    // A store whose writes take virtual time (a slow disk): the request id, and each state seen.
    class SlowStore extends MemoryLedgerStore {
      protected override async persist(record: JobRecord): Promise<void> {
        if (record.state === 'submitted' || record.state === 'queued' || record.state === 'running') await clock.sleep(300);
        await super.persist(record);
      }
    }
    const store = new SlowStore();
    const t = setup({}, { clock, provider: new FakeProvider(clock), store, assets: new CountingAssets() });
    t.provider.nextJob = { queueMs: 1_500, runMs: 2_500 };
    const reads = readsAfterReply(t.provider, clock);
    await t.clock.drive(t.generate());
    // Every gap is the policy's 1 s, though recording the id and the states took 300 ms each.
    expect(reads().slice(0, 4)).toEqual([1_000, 2_000, 3_000, 4_000]);
  });

  it('counts each poll gap from when the last read was due: a timer that fires late does not push every later read', async () => {
    const fake = new FakeClock();
    // Every timer fires 7 ms late (a busy event loop).
    const late = { now: () => fake.now(), sleep: (ms: number, signal?: AbortSignal) => fake.sleep(ms + 7, signal) };
    const t = setup({ clock: late }, { clock: fake, provider: new FakeProvider(fake), store: new MemoryLedgerStore(), assets: new CountingAssets() });
    t.provider.nextJob = { queueMs: 0, runMs: 10_000 };
    const reads = readsAfterReply(t.provider, fake);
    await fake.drive(t.generate());
    // Each read is 7 ms late, not 7 ms later than the one before (1_014, 2_021, … before).
    expect(reads().slice(0, 4)).toEqual([1_007, 2_007, 3_007, 4_007]);
  });

  it('starts the downloads while the output URLs are written down, and still writes them first', async () => {
    const clock = new FakeClock();
    class SlowStore extends MemoryLedgerStore {
      protected override async persist(record: JobRecord): Promise<void> {
        if (record.state === 'completed') await clock.sleep(300);
        await super.persist(record);
      }
    }
    const store = new SlowStore();
    const t = setup({}, { clock, provider: new FakeProvider(clock), store, assets: new CountingAssets() });
    t.provider.nextJob = { outputs: 1 };
    const onDiskAtDownload: string[] = [];
    const download = t.provider.download.bind(t.provider);
    t.provider.download = (url) => {
      onDiskAtDownload.push(store.writes.at(-1)!.state);
      return download(url);
    };
    const result = await t.clock.drive(
      t.ledger.generate(
        { ...request, maxOutputs: 1, params: { ...request.params, maxImages: 1 } },
        { signal: new AbortController().signal, job: { nodeId: 'n1', cacheKey: 'one' } },
      ),
    );
    expect(result.images).toHaveLength(1);
    expect(onDiskAtDownload).toEqual(['running']);
    const written = store.writes.map((w) => [w.state, w.outputs.map((o) => o.assetId !== undefined)]);
    expect(written.slice(-2)).toEqual([
      ['completed', [false]],
      ['stored', [true]],
    ]);
  });

  it('never reads a slow API back to back: at least a quarter of the gap passes after a read that took longer than it', async () => {
    const t = setup();
    t.provider.nextJob = { queueMs: 0, runMs: 10_000 };
    const reads: number[] = [];
    const read = t.provider.read.bind(t.provider);
    t.provider.read = async (id, want) => {
      reads.push(t.clock.now());
      await t.clock.sleep(1_500); // each answer takes longer than the 1-s gap
      return read(id, want);
    };
    await t.clock.drive(t.generate());
    const gaps = reads.slice(1).map((r, i) => r - reads[i]!);
    expect(gaps.slice(0, 3)).toEqual([1_750, 1_750, 1_750]);
  });

  it('stops following when the record was changed elsewhere, even if that write was not awaited', async () => {
    // Another owner took the job just as its URLs were written (the store refuses that one write).
    class ConflictingStore extends MemoryLedgerStore {
      private refused = false;
      override async put(record: JobRecord): Promise<void> {
        if (record.state === 'completed' && !this.refused) {
          this.refused = true;
          throw new LedgerConflictError(record.jobId, record.rev, record.rev + 1);
        }
        await super.put(record);
      }
    }
    const clock = new FakeClock();
    const store = new ConflictingStore();
    const t = setup({}, { clock, provider: new FakeProvider(clock), store, assets: new CountingAssets() });
    const e = await failure(t.clock, t.generate()).catch((err: unknown) => err);
    expect((e as { code?: string }).code).toBe('ledger-conflict');
    expect(store.writes.map((w) => w.state)).not.toContain('stored');
    expect(t.provider.calls.submit).toBe(1);
  });
});
