import type { Pool } from 'pg';

/**
 * Wall time as the database tells it. Leases are compared across machines, whose clocks may
 * disagree by seconds or minutes; the database's `now()` is the one clock they all share. The
 * offset to it is measured at start and again every `refreshMs` (half the round trip counted
 * as the network's), so `wallNow()` costs nothing.
 */
export class DbClock {
  private offsetMs = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {}

  /** Measures the offset now and then every `refreshMs` until `stop`. */
  async start(refreshMs = 60_000): Promise<this> {
    await this.measure();
    this.timer = setInterval(() => void this.measure().catch(this.onError), refreshMs);
    this.timer.unref?.();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** How far the database's clock is ahead of this machine's (ms; negative when behind). */
  get offset(): number {
    return this.offsetMs;
  }

  /** Wall ms on the database's clock. */
  wallNow = (): number => Date.now() + this.offsetMs;

  private async measure(): Promise<void> {
    const sent = Date.now();
    const { rows } = await this.pool.query<{ ms: number }>('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms');
    const back = Date.now();
    this.offsetMs = Math.round(rows[0]!.ms - (sent + back) / 2);
  }
}
