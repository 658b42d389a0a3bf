import { describe, expect, it } from 'vitest';
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
