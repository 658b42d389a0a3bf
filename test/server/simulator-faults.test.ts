import { describe, expect, it } from 'vitest';
import { simFaults } from '../../app/server/simulator';
import { client, input, startTestSimulator, waitFor } from './simulator-fixtures';

describe('simulator response faults', () => {
  it('answers 429 with Retry-After and creates no job', async () => {
    const { sim } = await startTestSimulator();
    sim.faults.push(simFaults.rateLimited(7, { route: 'submit' }));
    const c = client(sim);
    const limited = await c.submit();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((await c.submit()).status).toBe(200);
    expect(sim.counts.submits).toBe(2);
    expect(sim.counts.jobsCreated).toBe(1);
    expect(sim.counts.faultsFired).toBe(1);
  });

  it('plays a burst of 5xx for `times` requests, then recovers', async () => {
    const { sim } = await startTestSimulator();
    const c = client(sim);
    const id = (await c.submit()).body.request_id as string;
    sim.faults.push({ kind: 'http', status: 503, route: 'status', times: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await c.status(id)).status);
    expect(statuses).toEqual([503, 503, 503, 200]);
    expect(sim.faults.pending()).toEqual([]);
  });

  it('simulates insufficient balance (402, 400002) and another owner (403, 403001)', async () => {
    const { sim } = await startTestSimulator();
    const c = client(sim);
    sim.faults.push(simFaults.insufficientBalance({ route: 'submit' }), simFaults.wrongOwner({ route: 'result' }));
    const poor = await c.submit();
    expect([poor.status, poor.body.error_code]).toEqual([402, 400002]);
    const id = (await c.submit()).body.request_id as string;
    const foreign = await c.result(id);
    expect([foreign.status, foreign.body.error_code]).toEqual([403, 403001]);
  });

  it('answers 200 with an error_code', async () => {
    const { sim } = await startTestSimulator();
    sim.faults.push(simFaults.errorCode200(400002, { route: 'submit' }));
    const res = await client(sim).submit();
    expect(res.status).toBe(200);
    expect(res.body.error_code).toBe(400002);
    expect(res.body).not.toHaveProperty('request_id');
    expect(sim.counts.jobsCreated).toBe(0);
  });

  it('returns a 5xx after accepting a submit when the phase is after-accept', async () => {
    const { sim } = await startTestSimulator();
    sim.faults.push({ kind: 'http', status: 504, route: 'submit', phase: 'after-accept' });
    expect((await client(sim).submit()).status).toBe(504);
    expect(sim.counts.jobsCreated).toBe(1);
  });

  it.each([
    ['before-body', 0],
    ['after-body', 0],
    ['after-accept', 1],
  ] as const)('resets the connection %s (jobs created: %i)', async (phase, created) => {
    const { sim } = await startTestSimulator();
    sim.faults.push(simFaults.reset(phase, { route: 'submit' }));
    await expect(client(sim).submit()).rejects.toThrow();
    expect(sim.counts.jobsCreated).toBe(created);
    expect(sim.state.jobs()).toHaveLength(created);
    expect(sim.counts.submits).toBe(1);
  });

  it('resets a status request and answers the next one', async () => {
    const { sim } = await startTestSimulator();
    const c = client(sim);
    const id = (await c.submit()).body.request_id as string;
    sim.faults.push(simFaults.reset('after-body', { route: 'status' }));
    await expect(c.status(id)).rejects.toThrow();
    expect((await c.status(id)).status).toBe(200);
  });

  it('hangs until the client gives up', async () => {
    const { sim } = await startTestSimulator();
    sim.faults.push(simFaults.hang('after-body', { route: 'status' }));
    const res = fetch(`${sim.baseUrl}/requests/x/status`, { signal: AbortSignal.timeout(150) });
    await expect(res).rejects.toThrow(/abort|timeout/i);
  });

  it('hangs until the server closes', async () => {
    const { sim } = await startTestSimulator();
    sim.faults.push(simFaults.hang('after-accept', { route: 'submit' }));
    const pending = client(sim).submit();
    let settled = false;
    pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    await waitFor(() => sim.counts.jobsCreated === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    await sim.close();
    await expect(pending).rejects.toThrow();
  });

  it('delays an answer on the simulator clock', async () => {
    const { sim, clock } = await startTestSimulator();
    sim.faults.push({ kind: 'delay', ms: 5000, route: 'catalog' });
    let done = false;
    const pending = client(sim)
      .get('/models/bytedance/seedream-4-5/edit-sequential')
      .then((r) => ((done = true), r));
    await waitFor(() => clock.pending === 1);
    await clock.advance(4999);
    expect(done).toBe(false);
    await clock.advance(1);
    expect((await pending).status).toBe(200);
  });

  it('matches a fault to one request id only', async () => {
    const { sim } = await startTestSimulator();
    const c = client(sim);
    const a = (await c.submit()).body.request_id as string;
    const b = (await c.submit()).body.request_id as string;
    sim.faults.push({ kind: 'http', status: 500, requestId: b });
    expect((await c.status(a)).status).toBe(200);
    expect((await c.result(b)).status).toBe(500);
    expect((await c.result(b)).status).toBe(200);
  });
});

describe('simulator expired ids', () => {
  it('forgets a job when an expire fault strikes', async () => {
    const { sim } = await startTestSimulator();
    const c = client(sim);
    const id = (await c.submit()).body.request_id as string;
    sim.faults.push(simFaults.expire({ route: 'result' }));
    expect((await c.status(id)).status).toBe(200);
    const gone = await c.result(id);
    expect([gone.status, gone.body.error_code]).toEqual([404, 404001]);
    expect((await c.status(id)).body.error_code).toBe(404001);
    expect(sim.state.jobs()).toHaveLength(0);
  });

  it('forgets a job on demand', async () => {
    const { sim } = await startTestSimulator();
    const c = client(sim);
    const id = (await c.submit()).body.request_id as string;
    sim.state.expire(id);
    expect((await c.cancel(id)).status).toBe(404);
  });
});

describe('simulator job faults', () => {
  it('fails a job with the default error object while status says completed', async () => {
    const { sim, clock } = await startTestSimulator();
    sim.faults.push(simFaults.jobFails());
    const c = client(sim);
    const id = (await c.submit()).body.request_id as string;
    await clock.advance(10_000);
    expect((await c.status(id)).body.status).toBe('completed');
    const result = await c.result(id, true);
    expect(result.body).toMatchObject({ status: 'failed', error: { code: 'SIMULATED_FAILURE', message: expect.any(String) }, cost: 0 });
    expect(result.body).not.toHaveProperty('output');
    expect((await c.get(`${sim.url}/files/${id}/1.png`)).status).toBe(404);
  });

  it('fails with any error shape and lets the status endpoint say failed', async () => {
    const { sim, clock } = await startTestSimulator();
    sim.faults.push({ kind: 'job', fail: true, error: [{ msg: 'NSFW content detected' }], terminalStatus: 'failed' });
    const c = client(sim);
    const id = (await c.submit()).body.request_id as string;
    await clock.advance(10_000);
    expect((await c.status(id)).body.status).toBe('failed');
    expect((await c.result(id)).body.error).toEqual([{ msg: 'NSFW content detected' }]);
  });

  it('slows the queue of one job without slowing the next', async () => {
    const { sim, clock } = await startTestSimulator({ workers: 2 });
    sim.faults.push(simFaults.slowQueue(60_000));
    const c = client(sim);
    const slow = (await c.submit()).body.request_id as string;
    const quick = (await c.submit()).body.request_id as string;
    await clock.advance(100);
    expect((await c.status(slow)).body).toMatchObject({ status: 'in_queue', queue_position: 1 });
    expect((await c.status(quick)).body.status).toBe('in_progress');
    await clock.advance(60_000);
    expect((await c.status(slow)).body.status).toBe('in_progress');
  });

  it('skips job faults on routes other than submit', async () => {
    const { sim } = await startTestSimulator();
    sim.faults.push(simFaults.jobFails());
    await client(sim).get('/models/bytedance/seedream-4-5/edit-sequential');
    expect(sim.faults.pending()).toHaveLength(1);
  });
});

describe('simulator fault scripting', () => {
  it('applies server-level faults to every matching request until cleared', async () => {
    const { sim } = await startTestSimulator({ faults: [{ kind: 'http', status: 503, route: 'catalog' }] });
    const c = client(sim);
    const catalog = () => c.get('/models/bytedance/seedream-4-5/edit-sequential');
    expect((await catalog()).status).toBe(503);
    expect((await catalog()).status).toBe(503);
    expect((await c.submit()).status).toBe(200);
    sim.faults.clear();
    expect((await catalog()).status).toBe(200);
  });

  it('uses pushed faults before server-level ones, in order', async () => {
    const { sim } = await startTestSimulator({ faults: [{ kind: 'http', status: 500, route: 'submit' }] });
    sim.faults.push({ kind: 'http', status: 429, route: 'submit' }, { kind: 'http', status: 402, route: 'submit' });
    const c = client(sim);
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push((await c.submit()).status);
    expect(seen).toEqual([429, 402, 500]);
  });

  it('refuses a malformed fault', async () => {
    const { sim } = await startTestSimulator();
    expect(() => sim.faults.push({ kind: 'http', status: 99 })).toThrow();
  });

  it('can be scripted over HTTP through the control routes', async () => {
    const { sim } = await startTestSimulator();
    const c = client(sim);
    const push = await c.post(`${sim.url}/_simulator/faults`, [{ kind: 'http', status: 429, route: 'submit', headers: { 'Retry-After': '2' } }]);
    expect(push.status).toBe(200);
    expect(push.body.pendingFaults).toHaveLength(1);
    expect((await c.post(`${sim.url}/_simulator/faults`, { kind: 'nope' })).status).toBe(422);
    expect((await c.submit()).status).toBe(429);

    const patch = await fetch(`${sim.url}/_simulator/settings`, { method: 'PATCH', body: JSON.stringify({ omitSubmitUrls: true }) });
    expect(patch.status).toBe(200);
    expect(Object.keys((await c.submit()).body)).toEqual(['request_id']);
    const bad = await fetch(`${sim.url}/_simulator/settings`, { method: 'PATCH', body: JSON.stringify({ workers: 0 }) });
    expect(bad.status).toBe(422);

    const state = await c.get(`${sim.url}/_simulator`);
    expect(state.body.counts).toMatchObject({ submits: 2, jobsCreated: 1, faultsFired: 1 });
    expect(state.body.jobs).toHaveLength(1);
  });

  it('hides the control routes when disabled', async () => {
    const { sim } = await startTestSimulator({ controlRoutes: false });
    expect((await client(sim).get(`${sim.url}/_simulator`)).status).toBe(404);
  });
});

describe('simulator request bodies', () => {
  it('refuses a body over the 64 MiB limit with 413', async () => {
    const { sim } = await startTestSimulator();
    const big = JSON.stringify(input({ prompt: 'x'.repeat(65 * 1024 * 1024) }));
    const res = await fetch(sim.modelUrl, { method: 'POST', body: big }).catch((e: unknown) => e);
    // The server answers 413 and closes; depending on timing the client sees the answer or a reset.
    if (res instanceof Response) expect(res.status).toBe(413);
    else expect(res).toBeInstanceOf(Error);
    expect(sim.counts.jobsCreated).toBe(0);
  });
});
