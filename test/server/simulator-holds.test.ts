import { describe, expect, it } from 'vitest';
import { simFaults } from '../../app/server/simulator';
import { client, input, startTestSimulator, waitFor, type Answer } from './simulator-fixtures';

/** Tracks whether a request has settled (a held answer has not even sent its headers). */
function track(p: Promise<Answer>) {
  const state = { settled: false };
  p.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

const tick = () => new Promise((r) => setTimeout(r, 30));

describe('simulator held submit answers', () => {
  it('creates the job but withholds its id until released', async () => {
    const { sim } = await startTestSimulator();
    sim.faults.push(simFaults.holdSubmit());
    const pending = client(sim).submit();
    const seen = track(pending);
    await waitFor(() => sim.held().length === 1);
    const [job] = sim.state.jobs();
    expect(job?.phase).toBe('queued');
    expect(sim.held()[0]).toMatchObject({ route: 'submit', requestId: job!.id });
    expect(sim.submits()[0]).toMatchObject({ requestId: job!.id, reply: 'held' });
    expect(sim.counts.held).toBe(1);
    await tick();
    expect(seen.settled).toBe(false);

    expect(sim.release(job!.id)).toHaveLength(1);
    const res = await pending;
    expect([res.status, res.body.request_id]).toEqual([200, job!.id]);
    await waitFor(() => sim.submits()[0]?.reply === 'sent');
    expect(sim.held()).toEqual([]);
  });

  it('keeps the job running while its answer is held', async () => {
    const { sim, clock } = await startTestSimulator();
    sim.faults.push(simFaults.holdSubmit());
    void client(sim)
      .submit()
      .catch(() => undefined);
    await waitFor(() => sim.held().length === 1);
    await clock.advance(100);
    expect(sim.state.jobs()[0]?.phase).toBe('running');
    await clock.advance(60_000);
    expect(sim.state.jobs()[0]?.phase).toBe('succeeded');
    expect(sim.held()).toHaveLength(1);
  });

  it('releases every held answer with all', async () => {
    const { sim } = await startTestSimulator({ faults: [simFaults.holdSubmit()] });
    const c = client(sim);
    const a = c.submit(input({ seed: 1 }));
    const b = c.submit(input({ seed: 2 }));
    await waitFor(() => sim.held().length === 2);
    expect(sim.release('all')).toHaveLength(2);
    const ids = [(await a).body.request_id, (await b).body.request_id];
    expect(ids.sort()).toEqual(
      sim.state
        .jobs()
        .map((j) => j.id)
        .sort(),
    );
  });

  it('sends a held answer by itself after ms of simulator time', async () => {
    const { sim, clock } = await startTestSimulator({ timeScale: 2 });
    sim.faults.push(simFaults.holdSubmit(1000));
    const pending = client(sim).submit();
    const seen = track(pending);
    await waitFor(() => sim.held().length === 1);
    expect(sim.held()[0]).toMatchObject({ since: 0, until: 2000 });
    await clock.advance(1999);
    await tick();
    expect(seen.settled).toBe(false);
    await clock.advance(1);
    expect((await pending).status).toBe(200);
  });

  it('holds forever until the client gives up, and records the id as lost', async () => {
    const { sim } = await startTestSimulator();
    sim.faults.push(simFaults.holdSubmit());
    const res = fetch(sim.modelUrl, { method: 'POST', body: JSON.stringify(input()), signal: AbortSignal.timeout(150) });
    await expect(res).rejects.toThrow(/abort|timeout/i);
    await waitFor(() => sim.held().length === 0);
    expect(sim.counts.jobsCreated).toBe(1);
    expect(sim.submits()[0]?.reply).toBe('lost');
    expect(sim.release('all')).toEqual([]);
  });

  it('drops held connections when the simulator closes', async () => {
    const { sim } = await startTestSimulator();
    sim.faults.push(simFaults.holdSubmit());
    const pending = client(sim).submit();
    await waitFor(() => sim.held().length === 1);
    await sim.close();
    await expect(pending).rejects.toThrow();
  });

  it('is listed and released through the control routes', async () => {
    const { sim } = await startTestSimulator();
    const c = client(sim);
    await c.post(`${sim.url}/_simulator/faults`, { kind: 'hold', route: 'submit' });
    const pending = c.submit();
    await waitFor(() => sim.held().length === 1);
    const id = sim.state.jobs()[0]!.id;
    const state = await c.get(`${sim.url}/_simulator`);
    expect(state.body.jobs[0]).toMatchObject({ request_id: id, replyHeld: true });
    expect((await c.get(`${sim.url}/_simulator/held`)).body.held).toEqual([expect.objectContaining({ requestId: id })]);
    expect((await c.post(`${sim.url}/_simulator/release`, { requestId: 'nope' })).body.released).toEqual([]);
    expect((await c.post(`${sim.url}/_simulator/release`, { requestId: id })).body.released).toHaveLength(1);
    expect((await pending).body.request_id).toBe(id);
    expect((await c.post(`${sim.url}/_simulator/release`, { requestId: 7 })).status).toBe(422);
  });

  it('holds other routes too: a cancel takes effect while its answer waits', async () => {
    const { sim } = await startTestSimulator();
    const c = client(sim);
    const id = (await c.submit()).body.request_id as string;
    sim.faults.push({ kind: 'hold', route: 'cancel' });
    const pending = c.cancel(id);
    await waitFor(() => sim.held().length === 1);
    expect(sim.state.job(id)?.phase).toBe('cancelled');
    sim.release(id);
    expect((await pending).body.outcome).toBe('cancelled');
  });
});
