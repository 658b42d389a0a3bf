/**
 * Time as a dependency. Everything that waits (the executor's timings, the API client's polling
 * and backoff) takes a Clock, so tests drive time with a fake one and never really wait.
 */
export interface Clock {
  /** Milliseconds since an arbitrary origin; only differences are meaningful. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason if it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Error used when an AbortSignal has no reason of its own. */
export class AbortedError extends Error {
  readonly code = 'aborted';
  constructor(message = 'Aborted') {
    super(message);
    this.name = 'AbortedError';
  }
}

/** The reason an aborted signal carries, as an Error. */
export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new AbortedError(typeof r === 'string' ? r : undefined);
}

/** setTimeout's longest delay (about 24.8 days); a longer one would fire after 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The wall clock, backed by `performance.now()` and `setTimeout`. A sleep never ends before its
 * time: a timer counts from the event loop's last whole millisecond, so `setTimeout(r, 50)` can
 * fire up to about 1 ms early, more under load. A poll planned 50 ms after the last read could
 * then reach the API before the job it waits for is due, and take one more read (a whole gap
 * later) to see it finish. So an early timer is set again for what is left.
 */

export const realClock: Clock = {
  now: () => performance.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const due = performance.now() + Math.max(0, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      const fire = () => {
        const left = due - performance.now();
        if (left > 0) {
          timer = setTimeout(fire, Math.min(left, MAX_TIMER_MS));
          return;
        }
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      let timer = setTimeout(fire, Math.min(Math.max(0, ms), MAX_TIMER_MS));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};
