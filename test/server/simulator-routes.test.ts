import { describe, expect, it } from 'vitest';
import { SEEDREAM_MODEL_ID } from '../../app/model/seedream';
import { client, EPOCH, input, startTestSimulator } from './simulator-fixtures';

describe('simulator catalog and submit', () => {
  it('answers the catalog on GET of the model route', async () => {
    const { sim } = await startTestSimulator();
    const res = await client(sim).get(`/models/${SEEDREAM_MODEL_ID}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ model_id: SEEDREAM_MODEL_ID, base_price_usd: 0.04, price_unit: 'output' });
    expect(res.headers.get('x-runcomfy-simulator')).toBe('true');
  });

  it('returns request_id and absolute URLs on submit', async () => {
    const { sim } = await startTestSimulator();
    const res = await client(sim).submit();
    expect(res.status).toBe(200);
    const id = res.body.request_id as string;
    expect(Object.keys(res.body).sort()).toEqual(['cancel_url', 'request_id', 'result_url', 'status_url']);
    expect(res.body.status_url).toBe(`${sim.baseUrl}/requests/${id}/status`);
    expect(res.body.result_url).toBe(`${sim.baseUrl}/requests/${id}/result`);
    expect(res.body.cancel_url).toBe(`${sim.baseUrl}/requests/${id}/cancel`);
    expect((await client(sim).get(res.body.status_url)).status).toBe(200);
  });

  it('omits the URL fields when told to', async () => {
    const { sim } = await startTestSimulator({ omitSubmitUrls: true });
    const res = await client(sim).submit();
    expect(Object.keys(res.body)).toEqual(['request_id']);
  });

  it('rejects an unknown model id with 400 and 400001 on both methods', async () => {
    const { sim } = await startTestSimulator();
    const c = client(sim);
    for (const res of [await c.post('/models/bytedance/seedream-4-0/edit', input()), await c.get('/models/nope')]) {
      expect(res.status).toBe(400);
      expect(res.body.error_code).toBe(400001);
    }
    expect(sim.counts.submits).toBe(0);
  });

  it('rejects a body that is not JSON with 400', async () => {
    const { sim } = await startTestSimulator();
    const res = await client(sim).post(`/models/${SEEDREAM_MODEL_ID}`, '{"images": [');
    expect(res.status).toBe(400);
    expect(res.body.error_message).toMatch(/JSON/);
    expect(sim.counts.jobsCreated).toBe(0);
  });

  it('answers 404 for unknown paths and 405 for wrong methods', async () => {
    const { sim } = await startTestSimulator();
    const c = client(sim);
    expect((await c.get('/nothing')).status).toBe(404);
    const wrong = await c.get('/requests/x/cancel');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect((await c.get('/requests/%E0%A4%A/status')).status).toBe(404);
  });
});

describe('simulator job states', () => {
  it('moves a job from in_queue to in_progress to completed on the clock', async () => {
    const { sim, clock } = await startTestSimulator();
    const c = client(sim);
    const id = (await c.submit()).body.request_id as string;

    expect((await c.status(id)).body).toMatchObject({ request_id: id, status: 'in_queue', queue_position: 1 });
    const queued = await c.result(id);
    expect(queued.body).toEqual({ request_id: id, status: 'in_queue', created_at: new Date(EPOCH).toISOString() });

    await clock.advance(100);
    const running = await c.status(id);
    expect(running.body.status).toBe('in_progress');
    expect(running.body).not.toHaveProperty('queue_position');
    expect((await c.result(id)).body.status).toBe('in_progress');

    // Run time: 1000 + 500 × 2 images.
    await clock.advance(1999);
    expect((await c.status(id)).body.status).toBe('in_progress');
    await clock.advance(1);
    const done = await c.status(id);
    expect(done.body).toEqual({
      request_id: id,
      status: 'completed',
      status_url: `${sim.baseUrl}/requests/${id}/status`,
      result_url: `${sim.baseUrl}/requests/${id}/result`,
    });
    const result = await c.result(id);
    expect(result.body).toMatchObject({
      request_id: id,
      status: 'succeeded',
      created_at: new Date(EPOCH).toISOString(),
      finished_at: new Date(EPOCH + 2100).toISOString(),
    });
    expect(result.body.output.images).toEqual([`${sim.url}/files/${id}/1.png`, `${sim.url}/files/${id}/2.png`]);
    expect(result.body).not.toHaveProperty('cost');
  });

  it('numbers queue positions and moves them up as jobs leave', async () => {
    const { sim, clock } = await startTestSimulator({ queueDelayMs: 0 });
    const c = client(sim);
    const [a, b, d] = await Promise.all([0, 1, 2].map(async () => (await c.submit()).body.request_id as string));
    // Submissions may arrive in any order; order them by the simulator's own sequence.
    const ids = sim.state.jobs().map((j) => j.id);
    expect(new Set(ids)).toEqual(new Set([a, b, d]));
    const [first, second, third] = ids as [string, string, string];
    expect((await c.status(first)).body.status).toBe('in_progress');
    expect((await c.status(second)).body.queue_position).toBe(1);
    expect((await c.status(third)).body.queue_position).toBe(2);

    expect((await c.cancel(second)).body.outcome).toBe('cancelled');
    expect((await c.status(third)).body.queue_position).toBe(1);

    await clock.advance(2000);
    expect((await c.status(first)).body.status).toBe('completed');
    expect((await c.status(third)).body.status).toBe('in_progress');
  });

  it('runs as many jobs at once as there are workers', async () => {
    const { sim } = await startTestSimulator({ workers: 2, queueDelayMs: 0 });
    const c = client(sim);
    for (let i = 0; i < 3; i++) await c.submit();
    const phases = sim.state.jobs().map((j) => j.phase);
    expect(phases).toEqual(['running', 'running', 'queued']);
  });

  it('cancels a queued job and reports it cancelled everywhere', async () => {
    const { sim, clock } = await startTestSimulator();
    const c = client(sim);
    const id = (await c.submit()).body.request_id as string;
    const res = await c.cancel(id);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ request_id: id, status: 'cancelled', outcome: 'cancelled' });
    await clock.advance(10_000);
    expect((await c.status(id)).body.status).toBe('cancelled');
    const result = await c.result(id, true);
    expect(result.body).toMatchObject({ status: 'cancelled', cost: 0, finished_at: new Date(EPOCH).toISOString() });
    expect(result.body).not.toHaveProperty('output');
    expect((await c.cancel(id)).body.outcome).toBe('cancelled');
  });

  it('refuses to cancel a running job, which then completes and is billed', async () => {
    const { sim, clock } = await startTestSimulator();
    const c = client(sim);
    const id = (await c.submit()).body.request_id as string;
    await clock.advance(150);
    const res = await c.cancel(id);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ request_id: id, status: 'in_progress', outcome: 'not_cancellable' });
    await clock.advance(5000);
    const result = await c.result(id, true);
    expect(result.body.status).toBe('succeeded');
    expect(result.body.cost).toBe(0.16);
    expect((await c.cancel(id)).body).toMatchObject({ status: 'completed', outcome: 'not_cancellable' });
  });

  it('bills the maximum requested by default and the delivered images when told to', async () => {
    const { sim, clock } = await startTestSimulator({ queueDelayMs: 0 });
    const c = client(sim);
    const requested = (await c.submit(input({ sequential_image_generation_options: 5 }))).body.request_id as string;
    expect((await c.result(requested, true)).body).not.toHaveProperty('cost');
    await clock.advance(10_000);
    expect((await c.result(requested, true)).body.cost).toBe(0.2);

    sim.configure({ billing: 'delivered' });
    expect((await c.result(requested, true)).body.cost).toBe(0.08);
  });

  it('forgets finished jobs after expireAfterMs (404, 404001)', async () => {
    const { sim, clock } = await startTestSimulator({ queueDelayMs: 0, expireAfterMs: 1000 });
    const c = client(sim);
    const id = (await c.submit()).body.request_id as string;
    await clock.advance(2000);
    expect((await c.status(id)).status).toBe(200);
    await clock.advance(1000);
    const gone = await c.result(id);
    expect(gone.status).toBe(404);
    expect(gone.body.error_code).toBe(404001);
  });

  it('keeps at most maxFinishedJobs finished jobs', async () => {
    const { sim, clock } = await startTestSimulator({ queueDelayMs: 0, baseMs: 0, perImageMs: 0, maxFinishedJobs: 2 });
    const c = client(sim);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await c.submit()).body.request_id as string);
    await clock.advance(1);
    expect((await c.status(ids[0]!)).body.error_code).toBe(404001);
    expect((await c.status(ids[2]!)).body.status).toBe('completed');
  });

  it('scales every duration by timeScale', async () => {
    const { sim, clock } = await startTestSimulator({ timeScale: 0.01 });
    const c = client(sim);
    const id = (await c.submit()).body.request_id as string;
    await clock.advance(20);
    expect((await c.status(id)).body.status).toBe('in_progress');
    await clock.advance(1);
    expect((await c.status(id)).body.status).toBe('completed');
  });

  it('answers 404 with 404001 for unknown request ids on every id route', async () => {
    const { sim } = await startTestSimulator();
    const c = client(sim);
    for (const res of [await c.status('nope'), await c.result('nope'), await c.cancel('nope'), await c.get(`${sim.url}/files/nope/1.png`)]) {
      expect(res.status).toBe(404);
      expect(res.body.error_code).toBe(404001);
    }
  });

  it('counts requests per route', async () => {
    const { sim } = await startTestSimulator();
    const c = client(sim);
    const id = (await c.submit()).body.request_id as string;
    await c.submit({ prompt: 'x' });
    await c.status(id);
    await c.status(id);
    await c.result(id);
    await c.get(`/models/${SEEDREAM_MODEL_ID}`);
    expect(sim.counts.submits).toBe(2);
    expect(sim.counts.jobsCreated).toBe(1);
    expect(sim.counts.requests).toEqual({ submit: 2, catalog: 1, status: 2, result: 1, cancel: 0, file: 0 });
  });
});

describe('simulator auth', () => {
  it('requires the bearer token on API routes when one is configured', async () => {
    const { sim } = await startTestSimulator({ token: 'sekret' });
    for (const c of [client(sim), client(sim, 'wrong')]) {
      const res = await c.submit();
      expect(res.status).toBe(401);
      expect(res.body.error_code).toBe(400004);
      expect(res.body.error_message).not.toContain('sekret');
      expect((await c.get(`/models/${SEEDREAM_MODEL_ID}`)).status).toBe(401);
      expect((await c.status('any')).status).toBe(401);
    }
    expect(sim.counts.jobsCreated).toBe(0);
    const ok = await client(sim, 'sekret').submit();
    expect(ok.status).toBe(200);
  });

  it('serves output files without the token, as RunComfy storage does', async () => {
    const { sim, clock } = await startTestSimulator({ token: 'sekret', queueDelayMs: 0 });
    const c = client(sim, 'sekret');
    const id = (await c.submit()).body.request_id as string;
    await clock.advance(10_000);
    const [url] = (await c.result(id)).body.output.images as string[];
    const res = await fetch(url!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
  });

  it('accepts any token when none is configured', async () => {
    const { sim } = await startTestSimulator();
    expect((await client(sim, 'whatever').submit()).status).toBe(200);
  });
});
