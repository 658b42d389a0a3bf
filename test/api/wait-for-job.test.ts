import { describe, expect, it } from 'vitest';
import { RunComfyClient } from '../../app/api/runcomfy/client';
import { fixedPollPolicy } from '../../app/api/poll-policy';
import { waitForJob, type JobUpdate, type WaitOptions } from '../../app/api/wait-for-job';
import { FakeClock } from '../fixtures/fake-clock';
import { FakeFetch, reply, simulateJob, type SimulatedJobOptions } from '../fixtures/fake-fetch';
import { failure } from '../fixtures/api-failure';

function setup(job: Partial<SimulatedJobOptions> = {}) {
  const clock = new FakeClock();
  const fake = new FakeFetch(clock);
  const client = new RunComfyClient({ fetch: fake.fetch, clock, baseUrl: 'https://api.test/v1', token: 't0ken', random: () => 0 });
  const sim = simulateJob(fake, clock, { basePath: '/v1', requestId: 'r1', submittedAt: 0, queueMs: 0, runMs: 25_000, ...job });
  const updates: JobUpdate[] = [];
  const wait = (o: Partial<WaitOptions> = {}) => waitForJob(client, 'r1', { clock, expectedRunMs: 25_000, onUpdate: (u) => updates.push(u), ...o });
  return { clock, fake, client, sim, updates, wait };
}

/** Aborts `ac` at clock time `ms` (FakeClock.advance does not move time while firing timers). */
function abortAt(clock: FakeClock, ms: number, ac: AbortController): void {
  void clock.sleep(ms).then(() => ac.abort());
}

describe('waitForJob', () => {
  it('collects a 25 s job with the result endpoint once running, and stops at the terminal state', async () => {
    const { clock, fake, sim, updates, wait } = setup({ queueMs: 500 });
    const done = await clock.drive(wait());
    expect(done.result).toMatchObject({ requestId: 'r1', state: 'succeeded', outputUrls: sim.outputs, costUsd: 0.12 });
    expect(clock.now() - sim.doneAt).toBeLessThan(1_300);
    expect(fake.sent('GET', /status$/)).toHaveLength(1);
    expect(sim.observed.at(-1)).toBe('succeeded');
    expect(sim.observed.filter((s) => s === 'succeeded')).toHaveLength(1);
    expect(done.requests).toBe(fake.requests.length);
    expect(fake.requests.length).toBeLessThanOrEqual(12);
    expect(updates).toEqual([{ requestId: 'r1', state: 'running', message: 'Request r1 is running at RunComfy' }]);
    expect(clock.pending).toBe(0);
  });

  it('reports the queue position while queued, then re-anchors the schedule when it starts', async () => {
    const { clock, fake, updates, wait } = setup({ queueMs: 30_000, runMs: 25_000, queuePosition: 3 });
    await clock.drive(wait());
    expect(updates[0]).toEqual({ requestId: 'r1', state: 'queued', queuePosition: 3, message: 'Request r1 is queued at RunComfy (position 3)' });
    expect(updates.at(-1)?.state).toBe('running');
    // Queued polls grow 2, 3, 4.5, 6.75, 10 s; then the run is polled like a fresh 25 s job.
    const queued = fake.sent('GET', /status$/).map((r) => r.at);
    expect(queued.slice(0, 4)).toEqual([2_344, 4_344, 7_344, 11_844]);
    expect(fake.requests.length).toBeLessThanOrEqual(20);
  });

  it('reads the result at once when the status endpoint says completed', async () => {
    const { clock, fake, wait } = setup({ runMs: 1_000 });
    const done = await clock.drive(wait());
    expect(done.result.state).toBe('succeeded');
    expect(fake.requests.map((r) => [r.path.split('/').at(-1), r.at])).toEqual([
      ['status', 2_344],
      ['result', 2_344],
    ]);
  });

  it('throws job-failed with RunComfy\u2019s reason when the job failed', async () => {
    const { clock, wait } = setup({ outcome: 'failed' });
    const e = await failure(clock, wait());
    expect(e).toMatchObject({ code: 'job-failed' });
    expect(e.requestId).toBe('r1');
    expect(e.message).toMatch(/^RunComfy reports that request r1 failed: content policy violation\./);
  });

  it('throws cancelled when the job was cancelled elsewhere', async () => {
    const { clock, fake, wait } = setup();
    fake.on('GET', '/v1/requests/r1/status', reply(200, { status: 'canceled' }));
    expect(await failure(clock, wait())).toMatchObject({ code: 'cancelled' });
  });

  it('cancels a queued job when stopped: not billed, nothing requested afterwards', async () => {
    const { clock, sim, wait } = setup({ queueMs: 120_000 });
    const ac = new AbortController();
    abortAt(clock, 20_000, ac);
    const e = await failure(clock, wait({ signal: ac.signal }));
    expect(e).toMatchObject({ code: 'cancelled' });
    expect(e.message).toBe('Stopped: request r1 was cancelled at RunComfy before it started; it will not be billed.');
    expect(sim.observed.at(-1)).toBe('cancel:cancelled');
    expect(clock.pending).toBe(0);
  });

  it('does not try to cancel a job it saw running: says it will be billed', async () => {
    const { clock, fake, wait } = setup({ runMs: 100_000 });
    const ac = new AbortController();
    abortAt(clock, 20_000, ac);
    const e = await failure(clock, wait({ signal: ac.signal }));
    expect(e).toMatchObject({ code: 'still-running' });
    expect(e.requestId).toBe('r1');
    expect(e.message).toMatch(
      /^Stopped waiting: request r1 is still running — will be billed \(a running job cannot be cancelled\)\. Its images can still be collected/,
    );
    expect(fake.sent('POST')).toHaveLength(0);
  });

  it('tries to cancel when the state is not known yet, and reports not_cancellable as billed', async () => {
    const { clock, fake, wait } = setup({ runMs: 100_000 });
    const ac = new AbortController();
    ac.abort();
    const e = await failure(clock, wait({ signal: ac.signal }));
    expect(e).toMatchObject({ code: 'still-running' });
    expect(fake.requests.map((r) => r.method)).toEqual(['POST']);
  });

  it('keeps collecting a job that could not be cancelled when asked to, until detached', async () => {
    const { clock, updates, wait } = setup({ runMs: 40_000 });
    const stop = new AbortController();
    const p = wait({ signal: stop.signal, onStop: 'collect', expectedRunMs: 40_000 });
    stop.abort();
    const done = await clock.drive(p);
    expect(done.result.state).toBe('succeeded');
    expect(updates.map((u) => u.state)).toEqual(['cancelling', 'running']);
    expect(updates[1]!.message).toMatch(/^Could not cancel: request r1 is still running — will be billed .*Collecting its images\./);

    const again = setup({ runMs: 40_000 });
    const detach = new AbortController();
    const stop2 = new AbortController();
    const q = again.wait({ signal: stop2.signal, detachSignal: detach.signal, onStop: 'collect' });
    stop2.abort();
    abortAt(again.clock, 5_000, detach);
    expect(await failure(again.clock, q)).toMatchObject({ code: 'still-running' });
    expect(again.clock.now()).toBe(5_000);
  });

  it('cancels a job queued past its deadline and says so', async () => {
    const { clock, sim, wait } = setup({ queueMs: 3_600_000 });
    const e = await failure(clock, wait({ deadlines: { queuedMs: 120_000 } }));
    expect(e).toMatchObject({ code: 'deadline' });
    expect(e).toMatchObject({ detail: { phase: 'queued', cancelled: true }, requestId: 'r1' });
    expect(e.message).toMatch(/waited in RunComfy's queue for more than 120 s, so it was cancelled \(not billed\)/);
    expect(clock.now()).toBe(120_000);
    expect(sim.observed.at(-1)).toBe('cancel:cancelled');
  });

  it('keeps waiting when a job at its queue deadline has just started', async () => {
    const { clock, wait } = setup({ queueMs: 119_000, runMs: 20_000 });
    const done = await clock.drive(wait({ deadlines: { queuedMs: 120_000 }, policy: fixedPollPolicy(50_000) }));
    expect(done.result.state).toBe('succeeded');
  });

  it('stops waiting for a job running past its deadline and says it will be billed', async () => {
    const { clock, fake, wait } = setup({ runMs: 3_600_000 });
    const e = await failure(clock, wait({ deadlines: { runningMs: 60_000 } }));
    expect(e).toMatchObject({ code: 'deadline', detail: { phase: 'running', cancelled: false }, requestId: 'r1' });
    expect(e.message).toMatch(/running for more than 60 s; stopped waiting\. It is still running at RunComfy and will be billed/);
    expect(clock.now()).toBe(60_000);
    expect(fake.sent('POST')).toHaveLength(0);
  });

  it('says the job may still be running when RunComfy cannot be reached', async () => {
    const { clock, fake, wait } = setup();
    fake.on('GET', '/v1/requests/r1/status', reply(503), reply(503), reply(503), reply(503), reply(503));
    const e = await failure(clock, wait());
    expect(e.code).toBe('upstream-unavailable');
    expect(e).toMatchObject({ attempts: 5, requestId: 'r1' });
  });

  it('passes on an expired request id as not-found', async () => {
    const { clock, fake, wait } = setup();
    fake.on('GET', '/v1/requests/r1/status', reply(404, { error_code: 404001 }));
    expect(await failure(clock, wait())).toMatchObject({ code: 'not-found' });
  });
});
