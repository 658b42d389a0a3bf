import { describe, expect, it } from 'vitest';
import { ApiError } from '../../app/api/errors';
import { backoffDelay, nextRetryDelay, READ_RETRY, withRetry } from '../../app/api/retry';
import { FakeClock } from '../fixtures/fake-clock';

describe('backoffDelay', () => {
  it('doubles from the base up to the cap, and jitter only shortens it', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, READ_RETRY, () => 0))).toEqual([1_000, 2_000, 4_000, 8_000, 15_000, 15_000]);
    expect(backoffDelay(3, READ_RETRY, () => 0.999)).toBe(2_002);
  });
});

describe('nextRetryDelay', () => {
  it('uses Retry-After instead of the backoff, and gives up when it is too long', () => {
    expect(nextRetryDelay(new ApiError('rate-limited', 'x', { retryAfterMs: 9_000 }), 1, READ_RETRY, () => 0)).toBe(9_000);
    expect(nextRetryDelay(new ApiError('rate-limited', 'x', { retryAfterMs: 61_000 }), 1, READ_RETRY, () => 0)).toBeUndefined();
  });

  it('gives up on non-retryable errors and after the last attempt', () => {
    expect(nextRetryDelay(new ApiError('auth', 'x'), 1, READ_RETRY, () => 0)).toBeUndefined();
    expect(nextRetryDelay(new ApiError('upstream-unavailable', 'x'), 5, READ_RETRY, () => 0)).toBeUndefined();
  });
});

describe('withRetry', () => {
  it('retries until success, sleeping the backoff between attempts', async () => {
    const clock = new FakeClock();
    let n = 0;
    const value = await clock.drive(
      withRetry(
        async () => {
          if (++n < 3) throw new ApiError('upstream-unavailable', 'down');
          return 'ok';
        },
        { policy: READ_RETRY, clock, random: () => 0 },
      ),
    );
    expect(value).toBe('ok');
    expect(clock.sleeps).toEqual([1_000, 2_000]);
  });

  it('counts the attempts in a field and leaves the message alone when it gives up', async () => {
    const clock = new FakeClock();
    const p = withRetry(() => Promise.reject(new ApiError('upstream-unavailable', 'down')), { policy: READ_RETRY, clock, random: () => 0 });
    const e = await clock.drive(p).catch((x: unknown) => x);
    expect(e).toMatchObject({ message: 'down', attempts: 5 });
  });

  it('passes non-API errors straight through', async () => {
    const clock = new FakeClock();
    await expect(clock.drive(withRetry(() => Promise.reject(new Error('bug')), { policy: READ_RETRY, clock, random: () => 0 }))).rejects.toThrow('bug');
    expect(clock.sleeps).toEqual([]);
  });

  it('stops waiting when the signal aborts', async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    const p = withRetry(() => Promise.reject(new ApiError('upstream-unavailable', 'down')), { policy: READ_RETRY, clock, random: () => 0, signal: ac.signal });
    void clock.sleep(500).then(() => ac.abort(new Error('stopped')));
    await expect(clock.drive(p)).rejects.toThrow('stopped');
  });
});
