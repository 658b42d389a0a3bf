import { describe, expect, it } from 'vitest';
import { MemoryCache } from '../../app/engine/cache';
import { journaledSeedream, MemoryJournalStore, type JournalEntry, type ResumableSeedreamApi } from '../../app/engine/seedream-journal';
import type { ProgressDetail, SeedreamJobResult } from '../../app/graph/node-definition';
import { statusLabel } from '../../app/ui/run/status-text';
import { createTestStore, paidWorkflow } from '../fixtures/studio-store';
import { MemoryAssetStore, RecordingOutputSink, testImages } from '../fixtures/fake-run-context';
import { FakeClock } from '../fixtures/fake-clock';

type Deferred = { resolve(r: SeedreamJobResult): void; reject(e: unknown): void; onProgress?: (d: ProgressDetail, m: string) => void };

/** A generation service that only re-attaches: each resumeJob waits until the test settles it. */
function resumableApi() {
  const waiting = new Map<string, Deferred>();
  const submits: string[] = [];
  const api: ResumableSeedreamApi = {
    async editSequential() {
      submits.push('submit');
      throw new Error('must not submit');
    },
    resumeJob(requestId, options) {
      return new Promise<SeedreamJobResult>((resolve, reject) => {
        waiting.set(requestId, { resolve, reject, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
        options.onProgress?.({ phase: 'queued', requestId }, `Re-attaching to request ${requestId}`);
      });
    },
  };
  return { api, waiting, submits };
}

const notFound = () => Object.assign(new Error('Unknown request id (HTTP 404)'), { code: 'not-found' });
const flush = () => new Promise((r) => setTimeout(r, 0));

function setup(entries: (cacheKeyOf: (nodeId: string) => string) => JournalEntry[]) {
  const cache = new MemoryCache();
  const journalStore = new MemoryJournalStore();
  const fake = resumableApi();
  const journal = journaledSeedream(fake.api, journalStore, cache, () => 1);
  const t = createTestStore(paidWorkflow(3), {
    cache,
    journal: { list: () => journalStore.list(), resumeAll: journal.resumeAll, dismiss: journal.dismiss, inFlightKeys: journal.inFlightKeys },
    services: { api: journal.api, assets: new MemoryAssetStore(), output: new RecordingOutputSink(), clock: new FakeClock() },
  });
  const keyOf = (id: string) => t.store.getState().analysis.cacheKeys.get(id)!;
  for (const e of entries(keyOf)) journalStore.entries.set(e.requestId, e);
  return { ...t, cache, journalStore, fake };
}

const entry = (requestId: string, nodeId: string, cacheKey: string, status: JournalEntry['status'] = 'in-flight'): JournalEntry => ({
  requestId,
  nodeId,
  cacheKey,
  submittedAt: 100,
  request: { references: 2, prompt: 'Generate 3 images of a cat', maxImages: 3, resolution: '2048x2048 (1:1)', seed: 1 },
  status,
});

describe('session slice: re-attaching paid jobs', () => {
  it('shows a re-attached job on the node with its cache key, then its frames when it completes', async () => {
    const t = setup((key) => [entry('req-A', 'gen', key('gen'))]);
    const done = t.store.getState().resumeJobs();
    await flush();
    const view = t.store.getState().resumedViews.gen!;
    expect(statusLabel(view)).toBe('re-attached — queued');

    t.fake.waiting.get('req-A')!.onProgress!({ phase: 'running', requestId: 'req-A' }, 'Generating');
    expect(statusLabel(t.store.getState().resumedViews.gen!)).toBe('re-attached — running');

    const images = testImages(3, 50);
    t.fake.waiting.get('req-A')!.resolve({ requestId: 'req-A', images, outputUrls: ['u1', 'u2', 'u3'], costUsd: 0.12 });
    await done;
    const s = t.store.getState();
    expect(statusLabel(s.resumedViews.gen!)).toBe('re-attached — done');
    expect(s.results.gen).toMatchObject({ outputs: { images }, cached: false, meta: { requestId: 'req-A', costUsd: 0.12 } });
    expect(await t.cache.get(s.analysis.cacheKeys.get('gen')!)).toBeDefined();
    expect(t.journalStore.entries.size).toBe(0);
    expect(t.fake.submits).toEqual([]);
  });

  it('marks a request the API no longer knows as lost on its node; dismissing forgets it', async () => {
    const t = setup((key) => [entry('req-L', 'gen', key('gen'))]);
    const done = t.store.getState().resumeJobs();
    await flush();
    t.fake.waiting.get('req-L')!.reject(notFound());
    await done;
    const s = t.store.getState();
    expect(s.resumedViews.gen).toBeUndefined();
    expect(s.lostJobs).toEqual([
      expect.objectContaining({ requestId: 'req-L', nodeId: 'gen', message: expect.stringMatching(/no longer known.*lost.*Nothing was resubmitted/) }),
    ]);
    expect(t.journalStore.entries.get('req-L')?.status).toBe('lost');
    await s.dismissLost('req-L');
    expect(t.store.getState().lostJobs).toEqual([]);
    expect(t.journalStore.entries.size).toBe(0);
    expect(t.fake.submits).toEqual([]);
  });

  it('shows entries already lost at startup without polling them', async () => {
    const t = setup((key) => [entry('req-old', 'gen', key('gen'), 'lost')]);
    await t.store.getState().resumeJobs();
    expect(t.fake.waiting.size).toBe(0);
    expect(t.store.getState().lostJobs.map((l) => l.requestId)).toEqual(['req-old']);
  });

  it('keeps a job whose node changed: shown on the node that submitted it, result cached under its key', async () => {
    const t = setup(() => [entry('req-X', 'gen', 'an-old-key')]);
    const done = t.store.getState().resumeJobs();
    await flush();
    expect(t.store.getState().resumedJobs['req-X']!.nodeId).toBe('gen');
    t.fake.waiting.get('req-X')!.resolve({ requestId: 'req-X', images: testImages(3), outputUrls: [] });
    await done;
    expect(await t.cache.get('an-old-key')).toBeDefined();
  });

  it('keeps a job whose re-attach failed for another reason in the journal, and says so', async () => {
    const t = setup((key) => [entry('req-E', 'gen', key('gen'))]);
    const done = t.store.getState().resumeJobs();
    await flush();
    t.fake.waiting.get('req-E')!.reject(new Error('network down'));
    await done;
    expect(t.store.getState().resumedViews.gen).toMatchObject({
      status: 'error',
      error: { message: expect.stringMatching(/network down.*next reload.*not resubmitted/) },
    });
    expect(t.journalStore.entries.has('req-E')).toBe(true);
  });

  it('does nothing without a journal', async () => {
    const t = createTestStore(paidWorkflow(3));
    await t.store.getState().resumeJobs();
    expect(t.store.getState().resumedJobs).toEqual({});
  });

  it('prefers the live run state over a re-attached view once the node runs again', async () => {
    const t = setup((key) => [entry('req-A', 'gen', key('gen'))]);
    const done = t.store.getState().resumeJobs();
    await flush();
    t.fake.waiting.get('req-A')!.resolve({ requestId: 'req-A', images: testImages(3), outputUrls: [] });
    await done;
    await t.store.getState().requestRun();
    const s = t.store.getState();
    expect(s.pendingRun).toBeNull();
    expect(s.run.nodes.gen?.status).toBe('cached');
    expect(t.fake.submits).toEqual([]);
  });

  it('runs a node whose job is still re-attaching without asking to pay again: it joins the job', async () => {
    const t = setup((key) => [entry('req-J', 'gen', key('gen'))]);
    const resuming = t.store.getState().resumeJobs();
    await flush();
    const running = t.store.getState().requestRun();
    await flush();
    expect(t.store.getState().pendingRun).toBeNull();
    expect(t.store.getState().run.nodes.gen?.status).toBe('running');
    const images = testImages(3, 70);
    t.fake.waiting.get('req-J')!.resolve({ requestId: 'req-J', images, outputUrls: [] });
    await Promise.all([resuming, running]);
    expect(t.store.getState().run.phase).toBe('succeeded');
    expect(t.store.getState().results.gen?.outputs.images).toEqual(images);
    expect(t.fake.submits).toEqual([]);
  });
});
