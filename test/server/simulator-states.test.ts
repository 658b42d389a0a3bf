import { describe, expect, it } from 'vitest';
import { simFaults, type SimRoute, type SimulatorHandle } from '../../app/server/simulator';
import { client, EPOCH, startTestSimulator, type Answer } from './simulator-fixtures';

describe('simulator unknown status words', () => {
  it('reports the word for the first N status polls of the next job, then the real state', async () => {
    const { sim } = await startTestSimulator();
    sim.faults.push(simFaults.unknownStatus('starting', { polls: 2 }));
    const c = client(sim);
    const id = (await c.submit()).body.request_id as string;
    const words = [];
    for (let i = 0; i < 3; i++) words.push((await c.status(id)).body);
    expect(words.map((b) => b.status)).toEqual(['starting', 'starting', 'in_queue']);
    expect(words[0]).not.toHaveProperty('queue_position');
    expect((await c.result(id)).body.status).toBe('in_queue');
  });

  it('reports it within a time window only, on the result endpoint too', async () => {
    const { sim, clock } = await startTestSimulator({ unknownStatus: { word: 'preparing', forMs: 500, on: 'both' } });
    const c = client(sim);
    const id = (await c.submit()).body.request_id as string;
    expect([(await c.status(id)).body.status, (await c.result(id)).body.status]).toEqual(['preparing', 'preparing']);
    await clock.advance(499);
    expect((await c.status(id)).body.status).toBe('preparing');
    await clock.advance(1);
    expect([(await c.status(id)).body.status, (await c.result(id)).body.status]).toEqual(['in_progress', 'in_progress']);
  });

  it('never hides a finished job', async () => {
    const { sim, clock } = await startTestSimulator({ unknownStatus: { word: 'starting' } });
    const c = client(sim);
    const id = (await c.submit()).body.request_id as string;
    expect((await c.status(id)).body.status).toBe('starting');
    await clock.advance(60_000);
    expect((await c.status(id)).body.status).toBe('completed');
    expect((await c.result(id)).body.status).toBe('succeeded');
  });

  it('can be switched on and off at runtime', async () => {
    const { sim } = await startTestSimulator();
    const c = client(sim);
    const id = (await c.submit()).body.request_id as string;
    const patch = await fetch(`${sim.url}/_simulator/settings`, {
      method: 'PATCH',
      body: JSON.stringify({ unknownStatus: { word: 'warming_up', on: 'result' } }),
    });
    expect(patch.status).toBe(200);
    expect([(await c.status(id)).body.status, (await c.result(id)).body.status]).toEqual(['in_queue', 'warming_up']);
    sim.configure({ unknownStatus: null });
    expect((await c.result(id)).body.status).toBe('in_queue');
  });
});

describe('simulator refused cancel', () => {
  it('answers not_cancellable for a queued job and leaves it queued', async () => {
    const { sim, clock } = await startTestSimulator({ queueDelayMs: 10_000 });
    sim.faults.push(simFaults.refuseCancel());
    const c = client(sim);
    const id = (await c.submit()).body.request_id as string;
    const refused = await c.cancel(id);
    expect([refused.status, refused.body.outcome, refused.body.status]).toEqual([202, 'not_cancellable', 'in_queue']);
    expect(sim.state.job(id)?.phase).toBe('queued');
    await clock.advance(10_000);
    expect(sim.state.job(id)?.phase).toBe('running');
  });

  it('refuses every cancel as a server-level fault, and only once when pushed', async () => {
    const { sim } = await startTestSimulator({ queueDelayMs: 10_000, faults: [{ kind: 'refuse-cancel' }] });
    const c = client(sim);
    const id = (await c.submit()).body.request_id as string;
    expect((await c.cancel(id)).body.outcome).toBe('not_cancellable');
    expect((await c.cancel(id)).body.outcome).toBe('not_cancellable');
    sim.faults.setDefaults([]);
    sim.faults.push(simFaults.refuseCancel({ requestId: id }));
    expect((await c.cancel(id)).body.outcome).toBe('not_cancellable');
    expect((await c.cancel(id)).body.outcome).toBe('cancelled');
  });
});

describe('simulator long Retry-After', () => {
  const ask: Record<Exclude<SimRoute, 'catalog'>, (c: ReturnType<typeof client>, sim: SimulatorHandle, id: string) => Promise<Answer>> = {
    submit: (c) => c.submit(),
    status: (c, _sim, id) => c.status(id),
    result: (c, _sim, id) => c.result(id),
    cancel: (c, _sim, id) => c.cancel(id),
    file: (c, sim, id) => c.get(`${sim.url}/files/${id}/1.png`),
  };
  it.each(Object.keys(ask) as (keyof typeof ask)[])('answers 429 with Retry-After: 90 on %s', async (route) => {
    const { sim, clock } = await startTestSimulator();
    const c = client(sim);
    const id = (await c.submit()).body.request_id as string;
    await clock.advance(60_000);
    sim.faults.push(simFaults.retryAfter(90, 'delta-seconds', { route }));
    const res = await ask[route](c, sim, id);
    expect([res.status, res.headers.get('retry-after')]).toEqual([429, '90']);
  });

  it('writes an HTTP-date on the simulator wall clock, with a matching Date header', async () => {
    const { sim, clock } = await startTestSimulator();
    await clock.advance(5000);
    sim.faults.push(simFaults.retryAfter(120, 'http-date', { route: 'status', status: 503 }));
    const res = await client(sim).status('any');
    expect(res.status).toBe(503);
    expect(res.headers.get('date')).toBe(new Date(EPOCH + 5000).toUTCString());
    expect(Date.parse(res.headers.get('retry-after')!) - Date.parse(res.headers.get('date')!)).toBe(120_000);
  });

  it('answers every request within a window, then recovers', async () => {
    const { sim, clock } = await startTestSimulator();
    const c = client(sim);
    const id = (await c.submit()).body.request_id as string;
    sim.faults.push(simFaults.retryAfter(90, 'delta-seconds', { route: ['status', 'result'], forMs: 90_000 }));
    expect((await c.status(id)).status).toBe(429);
    expect((await c.result(id)).status).toBe(429);
    await clock.advance(89_999);
    expect((await c.status(id)).status).toBe(429);
    await clock.advance(1);
    expect((await c.status(id)).status).toBe(200);
    expect(sim.faults.pending()).toEqual([]);
  });
});
