import { afterEach, describe, expect, it } from 'vitest';
import { estimateCostUsd, RunComfyClient } from '../../../app/api/runcomfy/client';
import { downloadOutput } from '../../../app/api/runcomfy/download';
import { isApiError, UnknownSubmissionError } from '../../../app/api/errors';
import { toDataUri } from '../../../app/api/runcomfy/input-checks';
import type { JobResult } from '../../../app/api/runcomfy/schemas';
import { sniffImageMime } from '../../../app/lib/image-info';
import { realClock } from '../../../app/lib/clock';
import type { SeedreamInput } from '../../../app/model/seedream';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../../app/server/simulator';
import { realPng } from '../test-images';

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
  const input: SeedreamInput = {
    images: [toDataUri(realPng(64, 64), 'image/png')],
    prompt: 'Generate 2 images of a harbour',
    sequential_image_generation_options: 3,
    resolution: '2K',
    seed: 1,
  };
  return { sim, client, input };
}

/** Reads the result until it is over (real time, bounded). */
async function finished(client: RunComfyClient, requestId: string): Promise<JobResult> {
  for (let i = 0; i < 400; i++) {
    const r = await client.result(requestId);
    if (r.state !== 'queued' && r.state !== 'running') return r;
    await new Promise((done) => setTimeout(done, 5));
  }
  throw new Error(`request ${requestId} did not finish`);
}

describe('RunComfyClient against the simulator', () => {
  it('runs a whole job: submit, poll, result with cost, download over loopback http', async () => {
    const { sim, client, input } = await setup();
    const { requestId } = await client.submit(input);
    const result = await finished(client, requestId);
    expect(result).toMatchObject({ state: 'succeeded', costUsd: expect.closeTo(0.12) });
    expect(result.outputUrls).toHaveLength(2);
    for (const url of result.outputUrls) {
      const bytes = await downloadOutput(url, { clock: realClock, apiBaseUrl: client.baseUrl });
      expect(sniffImageMime(bytes)).toBe('image/png');
    }
    expect(sim.counts).toMatchObject({ submits: 1, jobsCreated: 1 });
  });

  it('works when the submit answer has no URLs', async () => {
    const { client, input } = await setup({ omitSubmitUrls: true });
    const { requestId } = await client.submit(input);
    expect((await finished(client, requestId)).outputUrls).toHaveLength(2);
  });

  it('reads the catalog price', async () => {
    const { client } = await setup();
    expect(estimateCostUsd(await client.catalog(), 3)).toBeCloseTo(0.12);
  });

  it('does not resend a submit the server accepted before failing: one job exists', async () => {
    const { sim, client, input } = await setup();
    sim.faults.push({ kind: 'http', status: 503, route: 'submit', phase: 'after-accept' });
    await expect(client.submit(input)).rejects.toBeInstanceOf(UnknownSubmissionError);
    expect(sim.state.jobs()).toHaveLength(1);
    expect(sim.counts).toMatchObject({ submits: 1, jobsCreated: 1 });
  });

  it('reports a connection reset after acceptance as an unknown submission', async () => {
    const { sim, client, input } = await setup();
    sim.faults.push({ kind: 'reset', route: 'submit', phase: 'after-accept' });
    await expect(client.submit(input)).rejects.toBeInstanceOf(UnknownSubmissionError);
    expect(sim.state.jobs()).toHaveLength(1);
  });

  it('resends after 429 with Retry-After, creating exactly one job', async () => {
    const { sim, client, input } = await setup();
    sim.faults.push({ kind: 'http', status: 429, route: 'submit', phase: 'before-body', headers: { 'retry-after': '0' } });
    await client.submit(input);
    expect(sim.state.jobs()).toHaveLength(1);
  });

  it('retries reads through 503s', async () => {
    const { sim, client, input } = await setup();
    const { requestId } = await client.submit(input);
    sim.faults.push({ kind: 'http', status: 503, route: ['status', 'result'], times: 2 });
    expect((await finished(client, requestId)).outputUrls).toHaveLength(2);
  });

  it('reports a failed job with its error text', async () => {
    const { sim, client, input } = await setup();
    sim.faults.push({ kind: 'job', fail: true, error: [{ message: 'moderation' }] });
    const { requestId } = await client.submit(input);
    expect(await finished(client, requestId)).toMatchObject({ state: 'failed', errorText: 'moderation' });
  });

  it('cancels a queued job', async () => {
    const { sim, client, input } = await setup({ queueDelayMs: 60_000_000 });
    const { requestId } = await client.submit(input);
    expect(await client.cancel(requestId)).toEqual({ requestId, outcome: 'cancelled' });
    expect(sim.state.jobs()[0]?.phase).toBe('cancelled');
  });

  it('says an expired request id is gone', async () => {
    const { sim, client, input } = await setup();
    const { requestId } = await client.submit(input);
    sim.state.expire(requestId);
    const e = await client.status(requestId).catch((err: unknown) => err);
    expect(isApiError(e, 'not-found')).toBe(true);
  });

  it('maps a wrong token to an auth error, without the token in the message', async () => {
    const { client, input } = await setup({}, 'wrong-token-xyz');
    const e = await client.submit(input).catch((err: unknown) => err);
    expect(isApiError(e, 'auth')).toBe(true);
    expect(String(e)).not.toContain('wrong-token-xyz');
  });
});
