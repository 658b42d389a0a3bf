import { describe, expect, it } from 'vitest';
import { JobStore, type NewJob } from '../../app/server/simulator/jobs';
import { FakeClock } from '../fixtures/fake-clock';
import { input } from './simulator-fixtures';

function store(workers = 1) {
  const clock = new FakeClock();
  const limits = { workers, expireAfterMs: 0, maxFinishedJobs: 100 };
  let n = 0;
  const jobs = new JobStore(
    clock,
    () => limits,
    () => `job-${++n}`,
  );
  const spec = (queueDelayMs: number, runMs: number): NewJob => ({ input: input(), imageCount: 1, frameSize: { width: 1, height: 1 }, queueDelayMs, runMs });
  return { clock, limits, jobs, spec };
}

describe('JobStore', () => {
  it('starts the next job at the instant the previous one finishes', async () => {
    const { clock, jobs, spec } = store();
    const a = jobs.create(spec(0, 1000));
    const b = jobs.create(spec(0, 1000));
    await clock.advance(5000);
    jobs.list();
    expect([a.startedAt, a.finishedAt, b.startedAt, b.finishedAt]).toEqual([0, 1000, 1000, 2000]);
  });

  it('replays events in time order even when read late', async () => {
    const { clock, jobs, spec } = store(2);
    const ids = [spec(0, 300), spec(0, 100), spec(0, 100), spec(50, 100)].map((s) => jobs.create(s).id);
    await clock.advance(10_000);
    const byId = new Map(jobs.list().map((j) => [j.id, j]));
    expect(ids.map((id) => byId.get(id)!.startedAt)).toEqual([0, 0, 100, 200]);
  });

  it('applies a change of workers from the moment it is made', async () => {
    const { clock, limits, jobs, spec } = store(1);
    jobs.create(spec(0, 1000));
    const b = jobs.create(spec(0, 1000));
    await clock.advance(400);
    jobs.catchUp();
    limits.workers = 2;
    await clock.advance(100);
    jobs.list();
    expect(b.startedAt).toBe(400);
  });

  it('cancels only queued jobs', async () => {
    const { clock, jobs, spec } = store();
    const a = jobs.create(spec(0, 1000));
    const b = jobs.create(spec(0, 1000));
    expect(jobs.cancel(a.id)).toBe(false);
    expect(jobs.cancel(b.id)).toBe(true);
    await clock.advance(1000);
    expect(jobs.get(a.id)?.phase).toBe('succeeded');
    expect(jobs.get(b.id)?.phase).toBe('cancelled');
    expect(jobs.cancel(a.id)).toBe(false);
  });

  it('fails a job carrying a fail fault when its run ends', async () => {
    const { clock, jobs, spec } = store();
    const a = jobs.create({ ...spec(0, 10), fault: { kind: 'job', fail: true } });
    await clock.advance(10);
    expect(jobs.get(a.id)).toMatchObject({ phase: 'failed', finishedAt: 10 });
  });
});
