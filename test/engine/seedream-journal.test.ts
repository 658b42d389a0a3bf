import { describe, expect, it } from 'vitest';
import { MemoryCache } from '../../app/engine/cache';
import { journaledSeedream, MemoryJournalStore, type ResumableSeedreamApi } from '../../app/engine/seedream-journal';
import type { SeedreamCallOptions, SeedreamJobRequest, SeedreamJobResult } from '../../app/graph/node-definition';
import { testImage } from '../fixtures/fake-run-context';

const REQUEST: SeedreamJobRequest = { images: [testImage(1)], prompt: 'Generate 2 images', maxImages: 2, resolution: '2K', seed: 7 };
const JOB = { nodeId: 'gen', cacheKey: 'k'.repeat(64) };
const result = (requestId: string): SeedreamJobResult => ({
  requestId,
  images: [testImage(2), testImage(3)],
  outputUrls: ['https://x.runcomfy.net/1.png', 'https://x.runcomfy.net/2.png'],
  costUsd: 0.08,
});
const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** A scripted generation service: each submit gets the next id and waits for the test to settle it. */
class ScriptedApi implements ResumableSeedreamApi {
  submits = 0;
  resumes: string[] = [];
  journalAtFirstPoll: string[][] = [];
  readonly jobs = new Map<string, Deferred<SeedreamJobResult>>();
  constructor(private readonly store: MemoryJournalStore) {}

  async editSequential(_req: SeedreamJobRequest, o: SeedreamCallOptions) {
    const id = `r${++this.submits}`;
    const job = deferred<SeedreamJobResult>();
    this.jobs.set(id, job);
    await o.onSubmitted?.(id);
    // What a poll would see: the journal must already hold the id.
    this.journalAtFirstPoll.push([...this.store.entries.keys()]);
    return job.promise;
  }

  resumeJob(requestId: string) {
    this.resumes.push(requestId);
    const job = this.jobs.get(requestId) ?? deferred<SeedreamJobResult>();
    this.jobs.set(requestId, job);
    return job.promise;
  }
}

const tick = () => new Promise((r) => setImmediate(r));
const setup = () => {
  const store = new MemoryJournalStore();
  const cache = new MemoryCache();
  const inner = new ScriptedApi(store);
  return { store, cache, inner, journal: journaledSeedream(inner, store, cache, () => 1_700_000_000_000) };
};
const call = (j: ReturnType<typeof setup>['journal']) => j.api.editSequential(REQUEST, { signal: new AbortController().signal, job: JOB });

describe('journaledSeedream', () => {
  it('writes the request id before the first poll and keeps the result in the cache before forgetting it', async () => {
    const { store, cache, inner, journal } = setup();
    const run = call(journal);
    await tick();
    expect(inner.journalAtFirstPoll).toEqual([['r1']]);
    expect(store.entries.get('r1')).toMatchObject({
      nodeId: 'gen',
      cacheKey: JOB.cacheKey,
      status: 'in-flight',
      submittedAt: 1_700_000_000_000,
      request: { references: 1, maxImages: 2 },
    });
    inner.jobs.get('r1')!.resolve(result('r1'));
    await expect(run).resolves.toMatchObject({ requestId: 'r1' });
    expect(store.entries.size).toBe(0);
    expect(await cache.get(JOB.cacheKey)).toMatchObject({ outputs: { images: result('r1').images }, meta: { requestId: 'r1', costUsd: 0.08 } });
  });

  it('re-attaches after a reload: the same request completes on the same node and nothing is submitted again', async () => {
    const first = setup();
    void call(first.journal).catch(() => undefined);
    await tick();
    // The page reloads: a new journal over the same durable store and cache.
    const inner2 = new ScriptedApi(first.store);
    const again = journaledSeedream(inner2, first.store, first.cache);
    const resumed = again.resumeAll({ signal: new AbortController().signal });
    await tick();
    // A run started meanwhile joins the resumed job instead of submitting.
    const joined = again.api.editSequential(REQUEST, { signal: new AbortController().signal, job: JOB });
    inner2.jobs.get('r1')!.resolve(result('r1'));
    const [report] = await resumed;
    expect(report).toMatchObject({ outcome: 'completed', entry: { requestId: 'r1', nodeId: 'gen' } });
    await expect(joined).resolves.toMatchObject({ requestId: 'r1' });
    expect(inner2.submits).toBe(0);
    expect(inner2.resumes).toEqual(['r1']);
    expect(first.store.entries.size).toBe(0);
    expect((await first.cache.get(JOB.cacheKey))?.meta.requestId).toBe('r1');
  });

  it('marks an expired id lost, keeps showing it without polling again, and forgets it when dismissed', async () => {
    const { store, cache, inner } = setup();
    const j = journaledSeedream(inner, store, cache);
    void call(j).catch(() => undefined);
    await tick();
    const j2 = journaledSeedream(inner, store, cache);
    const resumed = j2.resumeAll({ signal: new AbortController().signal });
    await tick();
    inner.jobs.get('r1')!.reject(coded('not-found', 'unknown request'));
    expect((await resumed)[0]).toMatchObject({ outcome: 'lost' });
    expect(store.entries.get('r1')).toMatchObject({ status: 'lost' });
    const again = await j2.resumeAll({ signal: new AbortController().signal });
    expect(again[0]).toMatchObject({ outcome: 'lost', message: expect.stringMatching(/not resubmitted/) });
    expect(inner.resumes).toEqual(['r1']);
    await j2.dismiss('r1');
    expect(store.entries.size).toBe(0);
  });

  it('submits once when the same work is asked for twice at the same time', async () => {
    const { inner, journal } = setup();
    const a = call(journal);
    const b = call(journal);
    await tick();
    inner.jobs.get('r1')!.resolve(result('r1'));
    await expect(Promise.all([a, b])).resolves.toHaveLength(2);
    expect(inner.submits).toBe(1);
  });

  it.each([
    ['still-running', 'in-flight'],
    ['download', 'in-flight'],
    ['network', 'in-flight'],
    ['cancelled', undefined],
    ['job-failed', undefined],
  ])('after a %s error the entry is %s', async (code, status) => {
    const { store, inner, journal } = setup();
    const run = call(journal);
    await tick();
    inner.jobs.get('r1')!.reject(coded(code));
    await expect(run).rejects.toThrow(code);
    expect(store.entries.get('r1')?.status).toBe(status);
  });

  it('records nothing when the submit itself fails', async () => {
    const store = new MemoryJournalStore();
    const failing: ResumableSeedreamApi = {
      editSequential: () => Promise.reject(coded('invalid-input')),
      resumeJob: () => Promise.reject(new Error('unused')),
    };
    const j = journaledSeedream(failing, store, new MemoryCache());
    await expect(call(j)).rejects.toThrow('invalid-input');
    expect(store.entries.size).toBe(0);
    expect(j.inFlightKeys()).toEqual([]);
  });
});
