import { describe, expect, it } from 'vitest';
import { simFaults } from '../../app/server/simulator';
import { client, input, startTestSimulator, waitFor } from './simulator-fixtures';
import type { SimulatorHandle } from '../../app/server/simulator';
import type { FakeClock } from '../fixtures/fake-clock';

const FOUR = input({ prompt: 'Generate 4 images of a lighthouse', sequential_image_generation_options: 4 });

/** Submits four frames, lets the job finish at t = 3100 and returns its output URLs. */
async function finished(sim: SimulatorHandle, clock: FakeClock): Promise<{ id: string; images: string[] }> {
  const c = client(sim);
  const id = (await c.submit(FOUR)).body.request_id as string;
  await clock.advance(3100);
  const result = await c.result(id);
  expect(result.body.status).toBe('succeeded');
  return { id, images: result.body.output.images as string[] };
}

const statusOf = async (url: string) => (await fetch(url)).status;

describe('simulator per-file failures', () => {
  it.each([404, 500])('answers %i for one output index and serves the others', async (status) => {
    const { sim, clock } = await startTestSimulator();
    const { images } = await finished(sim, clock);
    sim.faults.push(simFaults.fileFails(2, status));
    expect(await Promise.all(images.map(statusOf))).toEqual([200, 200, status, 200]);
    expect(await statusOf(images[2]!)).toBe(200);
  });

  it('resets a download of one index as often as told', async () => {
    const { sim, clock } = await startTestSimulator();
    const { images } = await finished(sim, clock);
    sim.faults.push(simFaults.fileFails(1, 'reset', { times: 2 }));
    await expect(fetch(images[1]!)).rejects.toThrow();
    await expect(fetch(images[1]!)).rejects.toThrow();
    expect(await statusOf(images[1]!)).toBe(200);
  });

  it('fails an index always as a server-level fault', async () => {
    const { sim, clock } = await startTestSimulator({ faults: [simFaults.fileFails(0, 503)] });
    const { images } = await finished(sim, clock);
    for (let i = 0; i < 3; i++) expect(await statusOf(images[0]!)).toBe(503);
    expect(await statusOf(images[3]!)).toBe(200);
  });

  it('hangs a download until the client gives up', async () => {
    const { sim, clock } = await startTestSimulator();
    const { images } = await finished(sim, clock);
    sim.faults.push(simFaults.fileFails(3, 'hang'));
    await expect(fetch(images[3]!, { signal: AbortSignal.timeout(150) })).rejects.toThrow(/abort|timeout/i);
  });

  it('ends a bounded hang with a reset after ms of simulator time', async () => {
    const { sim, clock } = await startTestSimulator();
    const { images } = await finished(sim, clock);
    sim.faults.push({ kind: 'hang', ms: 5000, route: 'file', outputIndex: 0 });
    const pending = fetch(images[0]!).then(
      (r) => r.status,
      (e: unknown) => e,
    );
    await waitFor(() => clock.pending === 1);
    await clock.advance(4999);
    expect(clock.pending).toBe(1);
    await clock.advance(1);
    expect(await pending).toBeInstanceOf(Error);
  });

  it('matches one job only when requestId is given', async () => {
    const { sim, clock } = await startTestSimulator({ workers: 2 });
    const a = await finished(sim, clock);
    const b = await finished(sim, clock);
    sim.faults.push(simFaults.fileFails(0, 404, { requestId: b.id }));
    expect(await statusOf(a.images[0]!)).toBe(200);
    expect(await statusOf(b.images[0]!)).toBe(404);
  });
});

describe('simulator file expiry', () => {
  it('stops serving output URLs filesExpireAfterMs after the job finished, status and result still answer', async () => {
    const { sim, clock } = await startTestSimulator({ filesExpireAfterMs: 10_000 });
    const c = client(sim);
    const { id, images } = await finished(sim, clock);
    await clock.advance(9_999);
    expect(await statusOf(images[0]!)).toBe(200);
    await clock.advance(1);
    const res = await fetch(images[0]!);
    expect([res.status, res.headers.get('content-type')]).toEqual([403, 'application/xml']);
    expect(await res.text()).toContain('AccessDenied');
    expect((await c.status(id)).body.status).toBe('completed');
    expect((await c.result(id)).body.output.images).toEqual(images);
  });

  it('answers the configured status, per job through a job fault', async () => {
    const { sim, clock } = await startTestSimulator();
    sim.faults.push(simFaults.filesExpire(1000, 404));
    const first = await finished(sim, clock);
    const second = await finished(sim, clock);
    await clock.advance(1000);
    const gone = await fetch(first.images[0]!);
    expect([gone.status, (await gone.text()).includes('NoSuchKey')]).toEqual([404, true]);
    expect(await statusOf(second.images[0]!)).toBe(200);
  });

  it('expires the files of one job now, through the handle, a fault or a control route', async () => {
    const { sim, clock } = await startTestSimulator({ workers: 3 });
    const c = client(sim);
    const [a, b, d] = [await finished(sim, clock), await finished(sim, clock), await finished(sim, clock)];
    expect(sim.state.expireFiles(a.id)).toBe(true);
    expect(sim.state.expireFiles('nope')).toBe(false);
    sim.faults.push(simFaults.expireFiles({ route: 'result', requestId: b.id }));
    expect((await c.result(b.id)).status).toBe(200);
    expect((await c.post(`${sim.url}/_simulator/jobs/${d.id}/expire-files`)).status).toBe(200);
    expect((await c.post(`${sim.url}/_simulator/jobs/nope/expire-files`)).status).toBe(404);
    expect(await Promise.all([a, b, d].map((j) => statusOf(j.images[1]!)))).toEqual([403, 403, 403]);
    expect(sim.state.jobs()).toHaveLength(3);
  });
});
