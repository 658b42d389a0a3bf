import type { Clock } from './clock';

/**
 * A sleep that something else can cut short: `wait` resolves after `ms`, on `wake()`, or when
 * `signal` aborts, whichever comes first. A wait that was woken stops its timer, so a timer of
 * an earlier wait can never end (or un-arm) a later one. A `wake()` while nobody waits is kept
 * for the next wait, which then returns at once (news that came while the caller was busy).
 */
export class Wakeup {
  private current: (() => void) | undefined;
  private pending = false;

  constructor(private readonly clock: Clock) {}

  /** Ends the wait in progress, or the next one if nobody waits now. */
  wake(): void {
    if (this.current) this.current();
    else this.pending = true;
  }

  wait(ms: number, signal?: AbortSignal): Promise<void> {
    this.current?.();
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = new AbortController();
      const onAbort = () => done();
      const done = () => {
        if (this.current === done) this.current = undefined;
        signal?.removeEventListener('abort', onAbort);
        timer.abort(WOKEN);
        resolve();
      };
      this.current = done;
      if (signal?.aborted) return done();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.clock.sleep(ms, timer.signal).then(done, () => undefined);
    });
  }
}

/** Why a wait's timer is stopped early (a shared reason: no error is built per wait). */
const WOKEN = new Error('woken');
