import { describe, expect, it } from 'vitest';
import { DownloadError, InvalidInputError, isApiError } from '../../../app/api/errors';
import { RunComfyClient } from '../../../app/api/runcomfy/client';
import { RunComfyProvider, type RunComfyPayload, type RunComfyProviderOptions } from '../../../app/api/runcomfy/provider';
import type { GenerationRequest } from '../../../app/graph/generation';
import type { ImageRef } from '../../../app/graph/ports';
import { realClock } from '../../../app/lib/clock';
import { bytesHash } from '../../../app/lib/hash';
import { sniffImageMime } from '../../../app/lib/image-info';
import { MAX_IMAGE_BYTES, SEEDREAM_MODEL_ID } from '../../../app/model/seedream';
import type { SimulatorOptions } from '../../../app/server/simulator';
import { FakeFetch, reply } from '../../fixtures/fake-fetch';
import { MemoryAssetStore } from '../../fixtures/fake-run-context';
import { startTestSimulator } from '../../server/simulator-fixtures';
import { pngOfSize, pngWithBrokenIdat, realJpeg, realPng } from '../test-images';

/**
 * RunComfyProvider against the simulator on a fake clock (jobs move only when the test advances
 * it; the HTTP is real loopback) and with fake fetches for references and downloads.
 */

const signal = () => new AbortController().signal;

async function setup(sim: SimulatorOptions = {}, extra: Partial<RunComfyProviderOptions> = {}) {
  const { sim: handle, clock } = await startTestSimulator(sim);
  const client = new RunComfyClient({ baseUrl: handle.baseUrl, clock: realClock });
  const assets = new MemoryAssetStore();
  const fetched: string[] = [];
  const provider = new RunComfyProvider({
    client,
    assets,
    fetchReference: async (url) => {
      fetched.push(url);
      throw new Error(`no fetch scripted for ${url}`);
    },
    ...extra,
  });
  const ref = await assets.put(realPng(64, 48), { name: 'cat.png' });
  return { sim: handle, clock, client, assets, provider, ref, fetched };
}

function request(references: ImageRef[], over: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    model: SEEDREAM_MODEL_ID,
    prompt: 'Generate 2 images of a harbour',
    references,
    params: { maxImages: 3, resolution: '2K', seed: 7 },
    maxOutputs: 3,
    ...over,
  };
}

async function refusal(p: Promise<unknown>): Promise<InvalidInputError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(InvalidInputError);
  return e as InvalidInputError;
}

describe('RunComfyProvider.prepare', () => {
  it('maps node params onto the wire input and summarises what will be sent', async () => {
    const { provider, ref, assets, client } = await setup();
    const prepared = await provider.prepare(request([ref]), signal());
    const { input, labels } = prepared.payload as RunComfyPayload;
    expect(input).toMatchObject({ prompt: 'Generate 2 images of a harbour', sequential_image_generation_options: 3, resolution: '2K', seed: 7 });
    expect(input.images[0]).toMatch(/^data:image\/png;base64,/);
    expect(labels).toEqual(['cat.png']);
    expect(prepared.sent).toMatchObject({ url: client.modelUrl, prompt: input.prompt, params: { maxImages: 3, resolution: '2K', seed: 7 } });
    expect(prepared.sent.images[0]).toMatch(/^image\/png data URI \(\d+ base64 characters\)$/);
    expect(prepared.sent.bodyBytes).toBe(new TextEncoder().encode(JSON.stringify(input)).byteLength);
    expect(prepared.referenceHashes).toEqual([bytesHash(await assets.get(ref))]);
    expect(prepared.referenceLabels).toEqual(['cat.png']);
    expect(provider).toMatchObject({ id: 'runcomfy', endpoint: client.baseUrl });
  });

  it('refuses another model, and params that break a rule, naming each field', async () => {
    const { provider, ref } = await setup();
    expect((await refusal(provider.prepare(request([ref], { model: 'other/model' }), signal()))).issues[0]).toMatchObject({ field: 'model' });
    const e = await refusal(provider.prepare(request([ref], { params: { maxImages: 20, seeds: 1 } }), signal()));
    expect(e.issues.map((i) => i.field).sort()).toEqual(['params', 'params.maxImages']);
    expect(e.message).toMatch(/"seeds" is not a Seedream param/);
    expect(e.message).toMatch(/params\.maxImages: .*\(got 20\); expected an integer from 1 to 15/);
    const over = await refusal(provider.prepare(request([ref], { maxOutputs: 2 }), signal()));
    expect(over.issues).toEqual([expect.objectContaining({ code: 'max-outputs', field: 'params.maxImages' })]);
  });

  it('refuses a PNG whose header is valid but whose pixel data is broken, naming the file; nothing is sent', async () => {
    const { provider, assets, ref, sim } = await setup();
    const broken = await assets.put(pngWithBrokenIdat(64, 48), { name: 'broken.png' });
    const e = await refusal(provider.prepare(request([ref, broken]), signal()));
    expect(e.issues).toEqual([expect.objectContaining({ code: 'image-damaged', field: 'images[1]' })]);
    expect(e.message).toMatch(/Image 2 \(broken\.png\): cannot be decoded: its image data is damaged/);
    expect(sim.counts.submits).toBe(0);
  });

  it('refuses a truncated JPEG, naming the file', async () => {
    const { provider, assets } = await setup();
    const jpeg = realJpeg(64, 48);
    expect((await provider.prepare(request([await assets.put(jpeg, { name: 'whole.jpg' })]), signal())).referenceLabels).toEqual(['whole.jpg']);
    const cut = await assets.put(jpeg.subarray(0, Math.floor(jpeg.length * 0.6)), { name: 'cut.jpg' });
    const e = await refusal(provider.prepare(request([cut]), signal()));
    expect(e.issues).toEqual([expect.objectContaining({ code: 'image-damaged', field: 'images[0]' })]);
    expect(e.message).toMatch(/Image 1 \(cut\.jpg\): cannot be decoded/);
  });

  it('accepts 9,999,999 bytes and refuses 10,000,000 (under 10 MB, decimal)', async () => {
    const { provider, assets } = await setup();
    expect(MAX_IMAGE_BYTES).toBe(10_000_000);
    const under = await assets.put(pngOfSize(64, 48, MAX_IMAGE_BYTES - 1), { name: 'under.png' });
    const prepared = await provider.prepare(request([under]), signal());
    expect(prepared.referenceLabels).toEqual(['under.png']);
    const at = await assets.put(pngOfSize(64, 48, MAX_IMAGE_BYTES), { name: 'at.png' });
    const e = await refusal(provider.prepare(request([at]), signal()));
    expect(e.issues).toEqual([expect.objectContaining({ code: 'image-too-large', field: 'images[0]' })]);
    expect(e.message).toMatch(/Image 1 \(at\.png\): is 10\.00 MB \(10000000 bytes\); each image must be smaller than 10 MB \(10000000 bytes\)/);
  });

  it('fetches an https reference once, checks it like a file and sends it as its URL', async () => {
    const url = 'https://images.example.com/refs/dog.jpg';
    const bytes = realJpeg(80, 60);
    const calls: string[] = [];
    const { provider, sim } = await setup({}, { fetchReference: async (u) => (calls.push(u), bytes) });
    const prepared = await provider.prepare(request([{ kind: 'url', url }]), signal());
    expect(calls).toEqual([url]);
    expect((prepared.payload as RunComfyPayload).input.images).toEqual([url]);
    expect(prepared.sent.images).toEqual([url]);
    expect(prepared.referenceHashes).toEqual([bytesHash(bytes)]);
    expect(prepared.referenceLabels).toEqual(['dog.jpg']);
    const { requestId } = await provider.submit(prepared);
    expect(sim.state.job(requestId)?.input.images).toEqual([url]);
    expect(calls).toHaveLength(1);
  });

  it('refuses an https reference that cannot be fetched, naming it and its URL; nothing is submitted', async () => {
    const url = 'https://images.example.com/gone.png';
    const { provider, sim } = await setup(
      {},
      {
        fetchReference: async (u) => {
          throw new Error(`Could not read ${u}: HTTP 404`);
        },
      },
    );
    const e = await refusal(provider.prepare(request([{ kind: 'url', url }]), signal()));
    expect(e.issues).toEqual([expect.objectContaining({ code: 'image-unreachable', field: 'images[0]' })]);
    expect(e.message).toMatch(/^Nothing was submitted/);
    expect(e.message).toContain(`Image 1 (gone.png): ${url} could not be fetched (Could not read ${url}: HTTP 404)`);
    expect(e.message).toMatch(/public and still valid, or download the image/);
    expect(sim.counts.submits).toBe(0);
  });
});

describe('RunComfyProvider reads', () => {
  it('maps a whole job: queued with its position, running, terminal on status, succeeded with outputs and cost', async () => {
    const { provider, ref, clock, sim } = await setup();
    const { requestId } = await provider.submit(await provider.prepare(request([ref]), signal()));
    expect(await provider.read(requestId, 'status')).toEqual({ state: 'queued', rawState: 'in_queue', queuePosition: 1 });
    expect(await provider.read(requestId, 'result')).toMatchObject({ state: 'queued', rawState: 'in_queue' });
    await clock.advance(200);
    expect(await provider.read(requestId, 'status')).toEqual({ state: 'running', rawState: 'in_progress' });
    expect(await provider.read(requestId, 'result')).toMatchObject({ state: 'running' });
    await clock.advance(10_000);
    expect(await provider.read(requestId, 'status')).toEqual({ state: 'terminal', rawState: 'completed' });
    const done = await provider.read(requestId, 'result');
    expect(done).toMatchObject({ state: 'succeeded', rawState: 'succeeded', costUsd: expect.closeTo(0.12) });
    expect(done.outputUrls).toHaveLength(2);
    expect(sniffImageMime(await provider.download(done.outputUrls![0]!))).toBe('image/png');
    expect(sim.counts.requests.status).toBe(3);
  });

  it('maps a failed job: terminal on status, failed with its error text on result', async () => {
    const { provider, ref, clock, sim } = await setup();
    sim.faults.push({ kind: 'job', fail: true, error: { message: 'moderation' }, terminalStatus: 'failed' });
    const { requestId } = await provider.submit(await provider.prepare(request([ref]), signal()));
    await clock.advance(10_000);
    expect(await provider.read(requestId, 'status')).toEqual({ state: 'terminal', rawState: 'failed' });
    expect(await provider.read(requestId, 'result')).toMatchObject({ state: 'failed', errorText: 'moderation' });
  });

  it('cancels a queued job (cancelled everywhere) and says a running one is not cancellable', async () => {
    const { provider, ref, clock } = await setup({ workers: 1 });
    const queued = await provider.submit(await provider.prepare(request([ref]), signal()));
    expect(await provider.cancel(queued.requestId)).toEqual({ outcome: 'cancelled' });
    expect(await provider.read(queued.requestId, 'status')).toMatchObject({ state: 'cancelled' });
    expect(await provider.read(queued.requestId, 'result')).toMatchObject({ state: 'cancelled' });
    const running = await provider.submit(await provider.prepare(request([ref]), signal()));
    await clock.advance(200);
    expect(await provider.cancel(running.requestId)).toEqual({ outcome: 'not_cancellable' });
  });

  it('reports a state word it does not know as unrecognised with the word, never as an error', async () => {
    const { provider, ref, sim } = await setup();
    sim.configure({ unknownStatus: { word: 'warming_up', on: 'both' } });
    const { requestId } = await provider.submit(await provider.prepare(request([ref]), signal()));
    expect(await provider.read(requestId, 'status')).toEqual({ state: 'unrecognised', rawState: 'warming_up' });
    expect(await provider.read(requestId, 'result')).toEqual({ state: 'unrecognised', rawState: 'warming_up' });
  });

  it('throws a retryable api-error for a read answered 200 with an error_code, after one exchange', async () => {
    const { provider, ref, sim } = await setup();
    const { requestId } = await provider.submit(await provider.prepare(request([ref]), signal()));
    sim.faults.push({ kind: 'error-code-200', error_code: 500777, error_message: 'busy', route: 'status' });
    const before = sim.counts.requests.status;
    const e = await provider.read(requestId, 'status').catch((err: unknown) => err);
    expect(e).toMatchObject({ code: 'api-error', retryable: true, apiCode: '500777', requestId });
    expect(sim.counts.requests.status - before).toBe(1);
  });

  it('reads once: a 503 is thrown (retryable), not retried', async () => {
    const { provider, ref, sim } = await setup();
    const { requestId } = await provider.submit(await provider.prepare(request([ref]), signal()));
    sim.faults.push({ kind: 'http', status: 503, route: 'result' });
    const before = sim.counts.requests.result;
    const e = await provider.read(requestId, 'result').catch((err: unknown) => err);
    expect(e).toMatchObject({ code: 'upstream-unavailable', retryable: true });
    expect(sim.counts.requests.result - before).toBe(1);
    expect(await provider.read(requestId, 'result')).toMatchObject({ state: 'queued' });
  });

  it('says an expired request id is not found', async () => {
    const { provider, ref, sim } = await setup();
    const { requestId } = await provider.submit(await provider.prepare(request([ref]), signal()));
    sim.state.expire(requestId);
    expect(isApiError(await provider.read(requestId, 'status').catch((err: unknown) => err), 'not-found')).toBe(true);
  });

  it('reads the catalog price of its model only', async () => {
    const { provider } = await setup();
    expect(await provider.priceUsd(SEEDREAM_MODEL_ID)).toBeCloseTo(0.04);
    expect(await provider.priceUsd('other/model')).toBeUndefined();
  });
});

describe('RunComfyProvider.download', () => {
  const OUT = 'https://out.runcomfy.net/r1/1.png';
  async function withFakeDownloads() {
    const fake = new FakeFetch();
    const client = new RunComfyClient({ baseUrl: 'https://api.test/v1', fetch: fake.fetch, clock: realClock });
    const provider = new RunComfyProvider({
      client,
      assets: new MemoryAssetStore(),
      fetchReference: () => Promise.reject(new Error('unused')),
      download: { fetch: fake.fetch },
    });
    return { fake, provider };
  }

  it.each([403, 404, 410])('marks HTTP %i as expired, after one attempt', async (status) => {
    const { fake, provider } = await withFakeDownloads();
    fake.otherwise('GET', '/r1/1.png', reply(status));
    const e = await provider.download(OUT).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DownloadError);
    expect(e).toMatchObject({ expired: true, retryable: false, url: OUT });
    expect(fake.requests).toHaveLength(1);
  });

  it('makes a 5xx or a dropped connection retryable, after one attempt', async () => {
    const { fake, provider } = await withFakeDownloads();
    fake.on('GET', '/r1/1.png', reply(502), { throws: new TypeError('fetch failed') });
    expect(await provider.download(OUT).catch((err: unknown) => err)).toMatchObject({ code: 'download', expired: false, retryable: true });
    expect(await provider.download(OUT).catch((err: unknown) => err)).toMatchObject({ code: 'download', expired: false, retryable: true });
    expect(fake.requests).toHaveLength(2);
  });

  it('refuses a host outside the rules without fetching', async () => {
    const { fake, provider } = await withFakeDownloads();
    expect(await provider.download('https://evil.test/1.png').catch((err: unknown) => err)).toMatchObject({ code: 'download', retryable: false });
    expect(fake.requests).toHaveLength(0);
  });
});
