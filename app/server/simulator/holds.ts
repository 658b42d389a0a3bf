import type { ServerResponse } from 'node:http';
import type { Clock } from '../../lib/clock';
import type { SimRoute } from './faults';

/** An answer the simulator processed but has not sent yet. */
export interface HeldReply {
  route: SimRoute;
  /** The job a held submit created (the id its client has not learnt), or the id a request named. */
  requestId?: string;
  /** Clock time it was held at, and when it will be sent by itself (absent: only when released). */
  since: number;
  until?: number;
}

/** How a hold ended: released by hand, its time ran out, or the connection went away first. */
export type HoldEnd = 'released' | 'elapsed' | 'gone';

interface Entry {
  info: HeldReply;
  finish: (end: HoldEnd) => void;
}

/** Withheld answers, waiting for a release, a deadline, or their client to give up. */
export class HoldBook {
  private readonly entries = new Set<Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly shutdown: AbortSignal,
  ) {}

  /** Waits until the answer may go out (`released`/`elapsed`) or no one is listening (`gone`). */
  hold(info: Omit<HeldReply, 'since' | 'until'>, ms: number | undefined, res: ServerResponse): Promise<HoldEnd> {
    return new Promise<HoldEnd>((resolve) => {
      const stop = new AbortController();
      const since = this.clock.now();
      const entry: Entry = {
        info: { ...info, since, ...(ms === undefined ? {} : { until: since + ms }) },
        finish: (end) => {
          if (!this.entries.delete(entry)) return;
          stop.abort();
          res.off('close', gone);
          this.shutdown.removeEventListener('abort', gone);
          resolve(end);
        },
      };
      const gone = () => entry.finish('gone');
      this.entries.add(entry);
      res.once('close', gone);
      this.shutdown.addEventListener('abort', gone, { once: true });
      if (this.shutdown.aborted) return gone();
      if (ms !== undefined)
        this.clock.sleep(ms, stop.signal).then(
          () => entry.finish('elapsed'),
          () => undefined,
        );
    });
  }

  /** Sends the held answers for this request id (or all of them); returns what was released. */
  release(target: string): HeldReply[] {
    const hit = [...this.entries].filter((e) => target === 'all' || e.info.requestId === target);
    for (const e of hit) e.finish('released');
    return hit.map((e) => e.info);
  }

  list(): HeldReply[] {
    return [...this.entries].map((e) => e.info);
  }
}
