import { describe, expect, it } from 'vitest';
import { Wakeup } from '../../app/lib/wakeup';
import { FakeClock, flushMicrotasks } from '../fixtures/fake-clock';

describe('Wakeup', () => {
  it('ends a wait on wake, on its timer, or on abort', async () => {
    const clock = new FakeClock();
    const w = new Wakeup(clock);
    const ended: string[] = [];
    void w.wait(1_000).then(() => ended.push('woken'));
    await clock.advance(100);
    w.wake();
    await flushMicrotasks();
    void w.wait(1_000).then(() => ended.push('timer'));
    await clock.advance(1_000);
    const stop = new AbortController();
    void w.wait(1_000, stop.signal).then(() => ended.push('aborted'));
    stop.abort();
    await flushMicrotasks();
    expect(ended).toEqual(['woken', 'timer', 'aborted']);
    expect(clock.pending).toBe(0);
  });

  it('never lets the timer of a woken wait end or disarm a later wait', async () => {
    const clock = new FakeClock();
    const w = new Wakeup(clock);
    const ends: number[] = [];
    void w.wait(1_000).then(() => ends.push(clock.now()));
    await clock.advance(100);
    w.wake(); // at 100
    await flushMicrotasks();
    void w.wait(1_000).then(() => ends.push(clock.now()));
    // 1,000 passes the first wait's timer: it must neither end the second wait nor take its wake away.
    await clock.advance(950);
    expect(ends).toEqual([100]);
    w.wake(); // at 1,050
    await flushMicrotasks();
    expect(ends).toEqual([100, 1_050]);
  });

  it('keeps a wake that came while nobody waited for the next wait only', async () => {
    const clock = new FakeClock();
    const w = new Wakeup(clock);
    w.wake();
    w.wake();
    let first = false;
    void w.wait(1_000).then(() => (first = true));
    await flushMicrotasks();
    expect(first).toBe(true);
    let second = false;
    void w.wait(1_000).then(() => (second = true));
    await clock.advance(999);
    expect(second).toBe(false);
    await clock.advance(1);
    expect(second).toBe(true);
  });
});
