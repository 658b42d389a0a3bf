import { describe, expect, it } from 'vitest';
import { connectSimulator, simFaults } from '../../app/server/simulator';
import { client, startTestSimulator, waitFor } from './simulator-fixtures';

describe('connectSimulator', () => {
  it('scripts faults, settings and jobs over the control routes', async () => {
    const { sim, clock } = await startTestSimulator();
    const remote = connectSimulator(`${sim.url}/`);
    const c = client(sim);
    await remote.push(simFaults.rateLimited(2, { route: 'submit' }));
    expect((await c.submit()).status).toBe(429);
    await remote.setDefaults([simFaults.serverError(500, { route: 'catalog' })]);
    expect((await remote.state()).serverFaults).toHaveLength(1);
    await remote.clearFaults();
    expect(await remote.configure({ filesExpireAfterMs: 1000 })).toMatchObject({ filesExpireAfterMs: 1000 });

    const id = (await c.submit()).body.request_id as string;
    await clock.advance(60_000);
    expect((await c.get(`${sim.url}/files/${id}/1.png`)).status).toBe(403);
    await remote.expire(id);
    expect((await remote.jobs()).map((j) => j.request_id)).toEqual([]);
    await expect(remote.expireFiles(id)).rejects.toThrow(/404/);
  });

  it('releases held answers and reads the chaos log', async () => {
    const { sim } = await startTestSimulator({ chaos: { seed: 2, submit: { hold: 1 }, holdMs: 1e9 } });
    const remote = connectSimulator(sim.url);
    const pending = client(sim).submit();
    await waitFor(() => sim.held().length === 1);
    expect(await remote.release()).toHaveLength(1);
    expect((await pending).status).toBe(200);
    expect(await remote.chaosLog()).toEqual([expect.objectContaining({ kind: 'hold' })]);
    expect((await remote.submits()).submits[0]?.reply).toBe('sent');
  });
});
