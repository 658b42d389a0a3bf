import type { Clock } from '../lib/clock';
import { ApiError } from './errors';

/**
 * How often and how patiently a call is repeated after a transient failure. Delays grow
 * exponentially (`baseDelayMs · 2^(n−1)`, capped at `maxDelayMs`) with jitter that only ever
 * shortens them (by up to `jitter`), so many clients do not retry in lockstep. A server's
 * `Retry-After` replaces the computed delay; one longer than `maxRetryAfterMs` ends the retries
 * (the error then carries `retryAfterMs` for the caller to show).
 */
export interface RetryPolicy {
  /** Total attempts, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** 0..1: the share of a delay jitter may take away. */
  jitter: number;
  maxRetryAfterMs: number;
}

/** Status, result and cancel: 5 attempts, waits of ≤1, ≤2, ≤4, ≤8 s (≤15 s in all). */
export const READ_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 15_000, jitter: 0.5, maxRetryAfterMs: 60_000 };
/** Submits, and only when surely not accepted (429, connection refused): 4 attempts, ≤2, ≤4, ≤8 s. */
export const SUBMIT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 2_000, maxDelayMs: 15_000, jitter: 0.5, maxRetryAfterMs: 60_000 };
/** Output downloads (static files): 3 attempts. */
export const DOWNLOAD_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 8_000, jitter: 0.5, maxRetryAfterMs: 30_000 };

/** The backoff before attempt `failedAttempts + 1`; `random` is in [0, 1). */
export function backoffDelay(failedAttempts: number, policy: RetryPolicy, random: () => number): number {
  const full = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.round(full * (1 - policy.jitter * random()));
}

/**
 * The wait before the next attempt after `error`, or undefined to give up: not retryable,
 * attempts used up, or the server asks for a longer pause than the policy accepts.
 */
export function nextRetryDelay(error: ApiError, failedAttempts: number, policy: RetryPolicy, random: () => number): number | undefined {
  if (!error.retryable || failedAttempts >= policy.maxAttempts) return undefined;
  if (error.retryAfterMs !== undefined) return error.retryAfterMs <= policy.maxRetryAfterMs ? error.retryAfterMs : undefined;
  return backoffDelay(failedAttempts, policy, random);
}

export interface RetryOptions {
  policy: RetryPolicy;
  clock: Clock;
  random: () => number;
  /** Aborts the waits between attempts. */
  signal?: AbortSignal;
  /** Decides per error whether it may be retried (default: `error.retryable`). */
  mayRetry?: (error: ApiError) => boolean;
}

/**
 * Calls `attempt` until it succeeds, throws a non-ApiError, or retrying must stop. The error
 * finally thrown carries how many attempts were made (`attempts`, when more than one).
 */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, o: RetryOptions): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      const allowed = o.mayRetry ? o.mayRetry(e) : e.retryable;
      const delay = allowed ? nextRetryDelay(e, n, o.policy, o.random) : undefined;
      if (delay === undefined) {
        // The count is a field, never spliced into the message (describeError shows it).
        if (n > 1) e.attempts = n;
        throw e;
      }
      await o.clock.sleep(delay, o.signal);
    }
  }
}
