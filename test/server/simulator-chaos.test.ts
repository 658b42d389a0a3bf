import { describe, expect, it } from 'vitest';
import { submitInputHash, zChaos, type ChaosConfig, type SimRoute } from '../../app/server/simulator';
import { Chaos } from '../../app/server/simulator/chaos';
import { client, input, startTestSimulator, waitFor } from './simulator-fixtures';

const ROUTES: SimRoute[] = ['submit', 'status', 'result', 'cancel', 'file', 'catalog'];

function draws(config: ChaosConfig, n: number) {
  const chaos = new Chaos();
  chaos.configure(config);
  return Array.from({ length: n }, (_, i) => chaos.draw(ROUTES[i % ROUTES.length]!, 'id')?.kind ?? null);
}

describe('Chaos', () => {
  it('injects the same faults for the same seed and request order', () => {
    const config: ChaosConfig = { seed: 42, read: 0.3, submit: 0.3, file: 0.3 };
    expect(draws(config, 300)).toEqual(draws(config, 300));
    expect(draws(config, 300)).not.toEqual(draws({ ...config, seed: 43 }, 300));
  });

  it('never touches the catalog and injects nothing when all probabilities are 0', () => {
    const all = draws({ seed: 1, read: 1, submit: 1, file: 1 }, 60);
    expect(all.filter((k, i) => ROUTES[i % ROUTES.length] === 'catalog' && k !== null)).toEqual([]);
    expect(draws({ seed: 1 }, 60).every((k) => k === null)).toBe(true);
  });

  it('hits at about the given rate, spread over the category kinds', () => {
    const chaos = new Chaos();
    chaos.configure({ seed: 7, read: 0.2 });
    for (let i = 0; i < 4000; i++) chaos.draw('status', undefined);
    const log = chaos.log();
    expect(log.length).toBeGreaterThan(700);
    expect(log.length).toBeLessThan(900);
    const perKind = new Map<string, number>();
    for (const e of log) perKind.set(e.kind, (perKind.get(e.kind) ?? 0) + 1);
    expect([...perKind.keys()].sort()).toEqual(['hang', 'rateLimited', 'reset', 'serverError']);
    for (const n of perKind.values()) expect(n).toBeGreaterThan(150);
  });

  it('plays the documented faults', () => {
    const one = (config: ChaosConfig, route: SimRoute) => {
      const c = new Chaos();
      c.configure(config);
      return c.draw(route, 'id');
    };
    expect(one({ seed: 1, submit: { errorAfterAccept: 1 } }, 'submit')).toEqual({ kind: 'http', status: 502, phase: 'after-accept' });
    expect(one({ seed: 1, submit: { resetAfterAccept: 1 } }, 'submit')).toEqual({ kind: 'reset', phase: 'after-accept' });
    expect(one({ seed: 1, submit: { hold: 1 }, holdMs: 250 }, 'submit')).toEqual({ kind: 'hold', ms: 250 });
    expect(one({ seed: 1, read: { hang: 1 }, hangMs: 9 }, 'cancel')).toEqual({ kind: 'hang', phase: 'after-body', ms: 9 });
    expect(one({ seed: 1, file: { expire: 1 } }, 'file')).toEqual({ kind: 'expire-files' });
    const limited = one({ seed: 1, read: { rateLimited: 1 } }, 'result');
    expect(limited).toMatchObject({ kind: 'http', status: 429, retryAfter: { seconds: expect.any(Number) } });
    expect(limited?.kind === 'http' && limited.retryAfter!.seconds).toBeGreaterThanOrEqual(1);
    expect(limited?.kind === 'http' && limited.retryAfter!.seconds).toBeLessThanOrEqual(3);
  });

  it('refuses probabilities that add up to more than 1', () => {
    expect(zChaos.safeParse({ seed: 1, read: { reset: 0.6, hang: 0.6 } }).success).toBe(false);
    expect(zChaos.safeParse({ seed: 1, read: 1.5 }).success).toBe(false);
    expect(zChaos.safeParse({ seed: 1, read: { boom: 0.1 } }).success).toBe(false);
  });
});

describe('simulator chaos mode', () => {
  it('makes an ambiguous submit: 502 after the job was created', async () => {
    const { sim } = await startTestSimulator({ chaos: { seed: 3, submit: { errorAfterAccept: 1 } } });
    expect((await client(sim).submit()).status).toBe(502);
    expect(sim.counts).toMatchObject({ jobsCreated: 1, chaosFired: 1, faultsFired: 0 });
    expect(sim.submits()[0]?.reply).toBe('lost');
    expect(sim.chaosLog()).toEqual([expect.objectContaining({ draw: 1, route: 'submit', kind: 'errorAfterAccept' })]);
  });

  it('holds submit answers for holdMs of simulator time', async () => {
    const { sim, clock } = await startTestSimulator({ chaos: { seed: 3, submit: { hold: 1 }, holdMs: 2000 } });
    const pending = client(sim).submit();
    await waitFor(() => sim.held().length === 1);
    await clock.advance(2000);
    expect((await pending).status).toBe(200);
  });

  it('expires the file URLs of a job for good', async () => {
    const { sim, clock } = await startTestSimulator();
    const c = client(sim);
    const id = (await c.submit()).body.request_id as string;
    await clock.advance(60_000);
    sim.configure({ chaos: { seed: 5, file: { expire: 1 } } });
    expect((await c.get(`${sim.url}/files/${id}/1.png`)).status).toBe(403);
    sim.configure({ chaos: null });
    expect((await c.get(`${sim.url}/files/${id}/2.png`)).status).toBe(403);
    expect((await c.result(id)).body.status).toBe('succeeded');
  });

  it('gives the same answers to the same requests for the same seed', async () => {
    const run = async () => {
      const { sim } = await startTestSimulator({ chaos: { seed: 11, read: { serverError: 0.3, rateLimited: 0.3 } } });
      const c = client(sim);
      const id = (await c.submit()).body.request_id as string;
      const seen = [];
      for (let i = 0; i < 30; i++) seen.push((await c.status(id)).status);
      return seen;
    };
    const first = await run();
    expect(first).toEqual(await run());
    expect(new Set(first)).toEqual(new Set([200, 429, 500, 502, 503]));
  });

  it('is switched on, reseeded and read through the control routes', async () => {
    const { sim } = await startTestSimulator();
    const c = client(sim);
    const on = await fetch(`${sim.url}/_simulator/settings`, { method: 'PATCH', body: JSON.stringify({ chaos: { seed: 9, read: { reset: 1 } } }) });
    expect(on.status).toBe(200);
    await expect(c.status('x')).rejects.toThrow();
    expect((await c.get(`${sim.url}/_simulator/chaos`)).body).toMatchObject({ chaos: { seed: 9 }, log: [{ kind: 'reset', requestId: 'x' }] });
    const bad = await fetch(`${sim.url}/_simulator/settings`, { method: 'PATCH', body: JSON.stringify({ chaos: { read: 0.1 } }) });
    expect(bad.status).toBe(422);
  });
});

describe('simulator submit log', () => {
  it('records every accepted submit with the hash of its input and counts repeats', async () => {
    const { sim } = await startTestSimulator();
    const c = client(sim);
    const a = (await c.submit(input({ seed: 1 }))).body.request_id as string;
    const b = (await c.submit(input({ seed: 2 }))).body.request_id as string;
    const again = (await c.submit({ ...input({ seed: 1 }), ignored: true })).body.request_id as string;
    await c.submit({ prompt: '' });
    expect(sim.counts).toMatchObject({ submits: 4, jobsCreated: 3, duplicateSubmits: 1 });
    const log = sim.submits();
    expect(log.map((r) => [r.n, r.requestId, r.duplicateOf ?? null, r.reply])).toEqual([
      [1, a, null, 'sent'],
      [2, b, null, 'sent'],
      [3, again, a, 'sent'],
    ]);
    expect(log[0]!.inputHash).toBe(submitInputHash(input({ seed: 1 })));
    const remote = await c.get(`${sim.url}/_simulator/submits`);
    expect(remote.body).toMatchObject({ duplicates: 1, repeated: { [log[0]!.inputHash]: [a, again] } });
    expect(remote.body.submits).toHaveLength(3);
  });

  it('marks the id as lost when a reset after accept swallows the answer', async () => {
    const { sim } = await startTestSimulator({ faults: [{ kind: 'reset', phase: 'after-accept', route: 'submit' }] });
    await expect(client(sim).submit()).rejects.toThrow();
    expect(sim.submits()).toEqual([expect.objectContaining({ reply: 'lost' })]);
  });
});
