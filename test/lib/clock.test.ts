import { describe, expect, it, vi } from 'vitest';
import { realClock } from '../../app/lib/clock';
import { FakeClock } from '../fixtures/fake-clock';

describe('FakeClock', () => {
  it('fires sleeps in time order when driven', async () => {
    const clock = new FakeClock();
    const seen: string[] = [];
    const work = Promise.all([clock.sleep(300).then(() => seen.push(`b@${clock.now()}`)), clock.sleep(100).then(() => seen.push(`a@${clock.now()}`))]);
    await clock.drive(work);
    expect(seen).toEqual(['a@100', 'b@300']);
  });

  it('lets a timer callback schedule the next sleep when advanced', async () => {
    const clock = new FakeClock();
    const ticks: number[] = [];
    const loop = async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(100);
        ticks.push(clock.now());
      }
    };
    void loop();
    await clock.advance(1_000);
    expect(ticks).toEqual([100, 200, 300]);
    expect(clock.now()).toBe(1_000);
  });

  it('rejects a sleep when its signal aborts', async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    const p = clock.sleep(1000, ac.signal);
    ac.abort();
    await expect(p).rejects.toThrow();
    expect(clock.pending).toBe(0);
  });

  it('reports a deadlock instead of hanging when nothing can fire', async () => {
    const clock = new FakeClock();
    await expect(clock.drive(new Promise(() => undefined))).rejects.toThrow(/deadlock/);
  });
});

describe('realClock', () => {
  // A bare setTimeout counts from the loop's last whole millisecond and so ends up to ~1 ms early
  // (29 of 30 such 5.5 ms sleeps did on this machine); a poll gap must never be shorter than planned.
  it('never ends a sleep before its time', async () => {
    const short: number[] = [];
    for (let i = 0; i < 30; i++) {
      const ms = 2.5 + (i % 5) * 0.3;
      const t0 = performance.now();
      await realClock.sleep(ms);
      const took = performance.now() - t0;
      if (took < ms) short.push(took);
    }
    expect(short).toEqual([]);
  });

  it('waits out a sleep longer than a timer can run (or endless) instead of waking every millisecond', async () => {
    const timers = vi.spyOn(globalThis, 'setTimeout');
    try {
      for (const ms of [2 ** 40, Infinity]) {
        const ac = new AbortController();
        const p = realClock.sleep(ms, ac.signal);
        await new Promise((r) => setImmediate(r));
        await new Promise((r) => setImmediate(r));
        ac.abort(new Error('enough'));
        await expect(p).rejects.toThrow('enough');
      }
      // One timer per sleep (of the longest delay setTimeout takes), not one per millisecond.
      expect(timers.mock.calls.filter(([, ms]) => ms === 2_147_483_647)).toHaveLength(2);
      expect(timers.mock.calls.filter(([, ms]) => (ms ?? 0) > 2_147_483_647)).toHaveLength(0);
    } finally {
      timers.mockRestore();
    }
  });

  it('ends a sleep at once when its signal aborts, and at once when it was aborted before', async () => {
    const ac = new AbortController();
    const p = realClock.sleep(60_000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    const aborted = new AbortController();
    aborted.abort();
    await expect(realClock.sleep(10, aborted.signal)).rejects.toThrow();
  });
});
