import { afterEach, describe, expect, it } from 'vitest';
import { estimateCostUsd, RunComfyClient } from '../../app/api/client';
import { AuthError, CancelledError, JobFailedError, NotFoundError, UnknownSubmissionError } from '../../app/api/errors';
import { fixedPollPolicy } from '../../app/api/poll-policy';
import { createSeedreamService } from '../../app/api/seedream-service';
import type { SeedreamJobRequest } from '../../app/graph/node-definition';
import { sniffImageMime } from '../../app/lib/image-info';
import { realClock } from '../../app/lib/clock';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../app/server/simulator';
import { MemoryAssetStore } from '../fixtures/fake-run-context';
import { realPng } from './test-images';

/**
 * The client against the colleague's simulator over real loopback HTTP: the two sides of the
 * contract must agree. Time is scaled down 1000×, so every job takes milliseconds.
 */

const TOKEN = 'sim-token-abcdef';
let sim: SimulatorHandle | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function setup(options: SimulatorOptions = {}, token = TOKEN) {
  sim = await startSimulator({ token: TOKEN, timeScale: 0.001, outputScale: 1 / 32, ...options });
  const fast = { baseDelayMs: 5, maxDelayMs: 20 };
  const client = new RunComfyClient({ baseUrl: sim.baseUrl, token, clock: realClock, readRetry: fast, submitRetry: fast });
  const assets = new MemoryAssetStore();
  const service = createSeedreamService({ client, assets, clock: realClock, pollPolicy: fixedPollPolicy(10) });
  const ref = await assets.put(realPng(64, 64), { name: 'ref.png' });
  const request: SeedreamJobRequest = { images: [ref], prompt: 'Generate 2 images of a harbour', maxImages: 3, resolution: '2K', seed: 1 };
  return { sim, client, assets, service, request };
}

const signal = () => new AbortController().signal;

describe('RunComfyClient against the simulator', () => {
  it('runs a whole job: submit, poll, result with cost, download over loopback http', async () => {
    const { sim, assets, service, request } = await setup();
    const result = await service.editSequential(request, { signal: signal() });
    expect(result.images).toHaveLength(2);
    expect(result.costUsd).toBeCloseTo(0.12);
    for (const ref of result.images) {
      expect(ref.kind === 'asset' && sniffImageMime(assets.bytes.get(ref.assetId)!)).toBe('image/png');
    }
    expect(sim.counts).toMatchObject({ submits: 1, jobsCreated: 1 });
  });

  it('works when the submit answer has no URLs', async () => {
    const { service, request } = await setup({ omitSubmitUrls: true });
    expect((await service.editSequential(request, { signal: signal() })).images).toHaveLength(2);
  });

  it('reads the catalog price', async () => {
    const { client } = await setup();
    expect(estimateCostUsd(await client.catalog(), 3)).toBeCloseTo(0.12);
  });

  it('does not resend a submit the server accepted before failing: one job exists', async () => {
    const { sim, service, request } = await setup();
    sim.faults.push({ kind: 'http', status: 503, route: 'submit', phase: 'after-accept' });
    await expect(service.editSequential(request, { signal: signal() })).rejects.toBeInstanceOf(UnknownSubmissionError);
    expect(sim.state.jobs()).toHaveLength(1);
    expect(sim.counts).toMatchObject({ submits: 1, jobsCreated: 1 });
  });

  it('reports a connection reset after acceptance as an unknown submission', async () => {
    const { sim, service, request } = await setup();
    sim.faults.push({ kind: 'reset', route: 'submit', phase: 'after-accept' });
    await expect(service.editSequential(request, { signal: signal() })).rejects.toBeInstanceOf(UnknownSubmissionError);
    expect(sim.state.jobs()).toHaveLength(1);
  });

  it('resends after 429 with Retry-After, creating exactly one job', async () => {
    const { sim, service, request } = await setup();
    sim.faults.push({ kind: 'http', status: 429, route: 'submit', phase: 'before-body', headers: { 'retry-after': '0' } });
    await service.editSequential(request, { signal: signal() });
    expect(sim.state.jobs()).toHaveLength(1);
  });

  it('retries reads through 503s', async () => {
    const { sim, service, request } = await setup();
    sim.faults.push({ kind: 'http', status: 503, route: ['status', 'result'], times: 2 });
    expect((await service.editSequential(request, { signal: signal() })).images).toHaveLength(2);
  });

  it('reports a failed job with its error text', async () => {
    const { sim, service, request } = await setup();
    sim.faults.push({ kind: 'job', fail: true, error: [{ message: 'moderation' }] });
    const e = await service.editSequential(request, { signal: signal() }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(JobFailedError);
    expect((e as Error).message).toMatch(/failed: moderation/);
  });

  it('cancels a queued job when stopped', async () => {
    const { sim, service, request } = await setup({ queueDelayMs: 60_000_000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await expect(service.editSequential(request, { signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
    expect(sim.state.jobs()[0]?.phase).toBe('cancelled');
  });

  it('says an expired request id is gone when resuming', async () => {
    const { sim, service, request } = await setup();
    const done = await service.editSequential(request, { signal: signal() });
    sim.state.expire(done.requestId);
    await expect(service.resumeJob(done.requestId, { signal: signal() })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('maps a wrong token to AuthError, without the token in the message', async () => {
    const { service, request } = await setup({}, 'wrong-token-xyz');
    const e = await service.editSequential(request, { signal: signal() }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(AuthError);
    expect(String(e)).not.toContain('wrong-token-xyz');
  });
});
