import { describe, expect, it } from 'vitest';
import { RunComfyClient } from '../../app/api/runcomfy/client';
import { DownloadError, InvalidInputError, UnknownSubmissionError } from '../../app/api/errors';
import { createSeedreamService, resumeJob, type SeedreamServiceOptions } from '../../app/api/seedream-service';
import type { ProgressDetail, SeedreamJobRequest } from '../../app/graph/node-definition';
import { FakeClock } from '../fixtures/fake-clock';
import { FakeFetch, reply, simulateJob, type SimulatedJobOptions } from '../fixtures/fake-fetch';
import { MemoryAssetStore } from '../fixtures/fake-run-context';
import { gifHeader, realPng } from './test-images';
import { failure } from '../fixtures/api-failure';

const MODEL = '/v1/models/bytedance/seedream-4-5/edit-sequential';

async function setup(job: Partial<SimulatedJobOptions> = {}, submit: Parameters<FakeFetch['on']>[2] = reply(200, { request_id: 'r1' })) {
  const clock = new FakeClock();
  const fake = new FakeFetch(clock);
  const client = new RunComfyClient({ fetch: fake.fetch, clock, baseUrl: 'https://model-api.runcomfy.net/v1', token: 'tok-123456', random: () => 0 });
  const assets = new MemoryAssetStore();
  const sim = simulateJob(fake, clock, { basePath: '/v1', requestId: 'r1', submittedAt: 0, queueMs: 0, runMs: 20_000, ...job });
  fake.on('POST', MODEL, submit);
  sim.outputs.forEach((url, i) => fake.otherwise('GET', new URL(url).pathname, { status: 200, bytes: realPng(32, 32, i * 40) }));
  const options: SeedreamServiceOptions = { client, assets, clock, download: { fetch: fake.fetch, random: () => 0 } };
  const service = createSeedreamService(options);
  const photo = await assets.put(realPng(64, 48), { name: 'photo.png' });
  const request: SeedreamJobRequest = {
    images: [photo, { kind: 'url', url: 'https://example.com/ref.jpg' }],
    prompt: 'Generate 2 images of a lighthouse',
    maxImages: 2,
    resolution: '2K',
    seed: 42,
  };
  const progress: Array<{ detail: ProgressDetail; message: string; requestsSoFar: number }> = [];
  const onProgress = (detail: ProgressDetail, message: string) => progress.push({ detail, message, requestsSoFar: fake.requests.length });
  return { clock, fake, assets, sim, service, options, request, progress, onProgress };
}

describe('createSeedreamService', () => {
  it('submits once, reports the request id at once, waits, and keeps the output bytes', async () => {
    const { clock, fake, assets, sim, service, request, progress, onProgress } = await setup();
    const result = await clock.drive(service.editSequential(request, { signal: new AbortController().signal, onProgress }));

    const body = JSON.parse(fake.sent('POST', MODEL)[0]!.body!);
    expect(body.images[0]).toMatch(/^data:image\/png;base64,/);
    expect(body).toMatchObject({
      images: [expect.any(String), 'https://example.com/ref.jpg'],
      prompt: 'Generate 2 images of a lighthouse',
      sequential_image_generation_options: 2,
      resolution: '2K',
      seed: 42,
    });
    expect(fake.sent('POST', MODEL)).toHaveLength(1);

    expect(result.requestId).toBe('r1');
    expect(result.outputUrls).toEqual(sim.outputs);
    expect(result.costUsd).toBe(0.12);
    expect(result.images.map((r) => (r.kind === 'asset' ? r.sourceUrl : r.url))).toEqual(sim.outputs);
    for (const ref of result.images) expect(ref.kind === 'asset' && assets.bytes.has(ref.assetId)).toBe(true);

    const submitted = progress.find((p) => p.detail.requestId === 'r1')!;
    expect(submitted).toEqual({ detail: { phase: 'queued', requestId: 'r1' }, message: 'Submitted as request r1', requestsSoFar: 1 });
    expect(progress.map((p) => p.detail.phase)).toEqual(['validating', 'submitting', 'queued', 'running', 'downloading', 'downloading', 'downloading']);
  });

  it('refuses a reference that is not JPEG or PNG by content, naming the file, before any request', async () => {
    const { clock, fake, assets, service, request } = await setup();
    const gif = await assets.put(gifHeader(40, 40), { name: 'cat.png' });
    const e = await failure(clock, service.editSequential({ ...request, images: [gif] }, { signal: new AbortController().signal }));
    expect(e).toBeInstanceOf(InvalidInputError);
    expect(e.message).toMatch(/Image 1 \(cat\.png\): is a GIF image; Seedream accepts only JPEG or PNG/);
    expect(fake.requests).toHaveLength(0);
  });

  it('reports an ambiguous submit as unknown and never resubmits (upstream count stays 1)', async () => {
    const { clock, fake, service, request, progress, onProgress } = await setup({}, reply(502));
    const e = await failure(clock, service.editSequential(request, { signal: new AbortController().signal, onProgress }));
    expect(e).toBeInstanceOf(UnknownSubmissionError);
    expect(fake.sent('POST', MODEL)).toHaveLength(1);
    expect(fake.requests).toHaveLength(1);
    expect(progress.some((p) => p.detail.requestId !== undefined)).toBe(false);
  });

  it('cancels a queued job when stopped (not billed)', async () => {
    const { clock, sim, service, request } = await setup({ queueMs: 600_000 });
    const ac = new AbortController();
    void clock.sleep(30_000).then(() => ac.abort());
    const e = await failure(clock, service.editSequential(request, { signal: ac.signal }));
    expect(e).toMatchObject({ code: 'cancelled' });
    expect(e.requestId).toBe('r1');
    expect(sim.observed.at(-1)).toBe('cancel:cancelled');
  });

  it('says a running job is still running and will be billed when stopped', async () => {
    const { clock, service, request } = await setup({ runMs: 120_000 });
    const ac = new AbortController();
    void clock.sleep(30_000).then(() => ac.abort());
    const e = await failure(clock, service.editSequential(request, { signal: ac.signal }));
    expect(e).toMatchObject({ code: 'still-running' });
    expect(e.requestId).toBe('r1');
    expect(e.message).toMatch(/still running — will be billed/);
  });

  it('keeps collecting a running job after a stop when told to collect, so the billed images arrive', async () => {
    const { clock, fake, assets, options, request } = await setup({ runMs: 120_000 });
    const service = createSeedreamService({ ...options, onStop: 'collect', detachSignal: new AbortController().signal });
    const ac = new AbortController();
    void clock.sleep(30_000).then(() => ac.abort());
    const result = await clock.drive(service.editSequential(request, { signal: ac.signal }));
    expect(result.requestId).toBe('r1');
    expect(result.images).toHaveLength(2);
    for (const img of result.images) expect((await assets.get(img)).length).toBeGreaterThan(0);
    expect(fake.requests.filter((r) => r.method === 'POST' && r.url.endsWith(MODEL))).toHaveLength(1);
  });

  it('stops collecting and names the billed request when detached after a stop', async () => {
    const { clock, options, request } = await setup({ runMs: 120_000 });
    const detach = new AbortController();
    const service = createSeedreamService({ ...options, onStop: 'collect', detachSignal: detach.signal });
    const ac = new AbortController();
    void clock.sleep(30_000).then(() => ac.abort());
    void clock.sleep(60_000).then(() => detach.abort());
    const e = await failure(clock, service.editSequential(request, { signal: ac.signal }));
    expect(e.requestId).toBe('r1');
  });

  it('lets a submit in flight finish when stopped, then cancels the new job', async () => {
    const ac = new AbortController();
    const { clock, fake, service, request } = await setup({ queueMs: 60_000 }, () => {
      ac.abort();
      return reply(200, { request_id: 'r1' });
    });
    const e = await failure(clock, service.editSequential(request, { signal: ac.signal }));
    expect(e).toMatchObject({ code: 'cancelled' });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST ${MODEL}`, 'POST /v1/requests/r1/cancel']);
  });

  it('stops during a 429 wait without submitting again (nothing was created)', async () => {
    const { clock, fake, service, request } = await setup({}, reply(429, {}, { 'retry-after': '30' }));
    const ac = new AbortController();
    void clock.sleep(5_000).then(() => ac.abort(new Error('user stop')));
    await expect(clock.drive(service.editSequential(request, { signal: ac.signal }))).rejects.toThrow('user stop');
    expect(fake.requests).toHaveLength(1);
    expect(clock.now()).toBe(5_000);
  });

  it('keeps the request id on a download failure and says the job was billed', async () => {
    const { clock, fake, sim, service, request } = await setup();
    fake.otherwise('GET', new URL(sim.outputs[1]!).pathname, reply(404));
    const e = await failure(clock, service.editSequential(request, { signal: new AbortController().signal }));
    expect(e).toBeInstanceOf(DownloadError);
    expect(e.requestId).toBe('r1');
    expect(e.message).toMatch(/Request r1 finished \(billed\).*resuming this request id/);
  });

  it('fails clearly when a success carries no images', async () => {
    const { clock, fake, service, request } = await setup({ runMs: 100 });
    fake.on('GET', '/v1/requests/r1/status', reply(200, { status: 'completed' }));
    fake.on('GET', '/v1/requests/r1/result', reply(200, { status: 'succeeded', output: { images: [] } }));
    const e = await failure(clock, service.editSequential(request, { signal: new AbortController().signal }));
    expect(e).toMatchObject({ code: 'job-failed' });
    expect(e.message).toMatch(/succeeded but returned no images/);
  });
});

describe('resumeJob', () => {
  it('re-attaches by request id: polls at once, never submits, and collects the images', async () => {
    const { clock, fake, options } = await setup({ submittedAt: -600_000 });
    const result = await clock.drive(resumeJob(options, 'r1', { signal: new AbortController().signal }));
    expect(result.images).toHaveLength(2);
    expect(fake.sent('POST')).toHaveLength(0);
    expect(fake.requests[0]).toMatchObject({ path: '/v1/requests/r1/status', at: 0 });
  });

  it('turns an expired id into not-found', async () => {
    const { clock, fake, service } = await setup();
    fake.on('GET', '/v1/requests/gone/status', reply(404, { error_code: 404001, error_message: 'expired' }));
    const e = await failure(clock, service.resumeJob('gone', { signal: new AbortController().signal }));
    expect(e).toMatchObject({ code: 'not-found' });
    expect(e.message).toMatch(/request gone is unknown, deleted or expired/);
  });
});
