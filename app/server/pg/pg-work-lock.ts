import type { Pool } from 'pg';
import type { GenerationCallOptions, GenerationRequest, GenerationResult, PaidGeneration } from '../../graph/generation';
import { abortReason, realClock, type Clock } from '../../lib/clock';

export interface PgWorkLockOptions {
  pool: Pool;
  /** The job ledger (or anything in front of it). */
  inner: PaidGeneration;
  /** The API the work goes to: the same cache key at another API is other work. */
  endpoint: string;
  /** Who holds a lock (a worker's owner id). */
  holder: string;
  /** A holder that stops renewing loses the lock after this long (database time). */
  leaseMs?: number;
  /** How often a waiting worker tries again (default 200 ms). */
  pollMs?: number;
  clock?: Clock;
}

const ACQUIRE = `
INSERT INTO work_locks (lock_key, holder, lease_until) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
ON CONFLICT (lock_key) DO UPDATE SET holder = EXCLUDED.holder, lease_until = EXCLUDED.lease_until
WHERE work_locks.lease_until < now()
RETURNING holder`;

/**
 * Makes the ledger's "look up this work, and write an intent if nothing has it" one step across
 * machines. The ledger does that under a lock of its own process only, so two workers running
 * rows that share a paid stage (the same cache key) could both find nothing and both pay. Here
 * a worker holds a lease-based lock on the work (`work_locks`) from before the ledger's lookup
 * until the ledger says what it is doing with it — submitting (its intent is committed by then),
 * joining, re-attaching, waiting for another worker — or gives up; the other worker's ledger
 * then finds the intent and waits for it instead of paying again. Held for a lookup and an
 * intent write, not for the job; a dead holder's lock lapses with its lease.
 */
export class PgWorkLock implements PaidGeneration {
  private seq = 0;

  constructor(private readonly o: PgWorkLockOptions) {}

  async generate(request: GenerationRequest, options: GenerationCallOptions): Promise<GenerationResult> {
    const key = `${this.o.endpoint}\n${options.job.cacheKey}`;
    const holder = `${this.o.holder}#${++this.seq}`;
    await this.acquire(key, holder, options.signal);
    const leaseMs = this.o.leaseMs ?? 30_000;
    const renew = setInterval(
      () =>
        void this.o.pool
          .query("UPDATE work_locks SET lease_until = now() + $3 * interval '1 millisecond' WHERE lock_key = $1 AND holder = $2", [key, holder, leaseMs])
          .catch(() => undefined),
      leaseMs / 3,
    );
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      clearInterval(renew);
      void this.o.pool.query('DELETE FROM work_locks WHERE lock_key = $1 AND holder = $2', [key, holder]).catch(() => undefined);
    };
    const onProgress: GenerationCallOptions['onProgress'] = (detail, message) => {
      // Past "validating" the ledger has decided, and any intent of its own is committed.
      if (detail.phase && detail.phase !== 'validating') release();
      options.onProgress?.(detail, message);
    };
    try {
      return await this.o.inner.generate(request, { ...options, onProgress });
    } finally {
      release();
    }
  }

  private async acquire(key: string, holder: string, signal: AbortSignal): Promise<void> {
    const clock = this.o.clock ?? realClock;
    for (;;) {
      if (signal.aborted) throw abortReason(signal);
      const { rowCount } = await this.o.pool.query(ACQUIRE, [key, holder, this.o.leaseMs ?? 30_000]);
      if (rowCount === 1) return;
      await clock.sleep(this.o.pollMs ?? 200, signal);
    }
  }
}
