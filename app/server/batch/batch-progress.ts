import type { BatchEvent, BatchSummary } from '../../batch';
import { formatUsd } from '../../engine/estimate-cost';

/** A terminal to draw a live bar on (stderr when it is a TTY). */
export interface LiveTerminal {
  write(text: string): void;
  columns?: number;
}

export interface BatchProgressOptions {
  /** One line of text (stderr). */
  line(text: string): void;
  /** When set, a live bar is drawn here instead of a line per row event. */
  tty?: LiveTerminal | undefined;
  now: () => number;
  /** Redraws at most this often (ms). */
  redrawMs?: number;
}

const clock = (ms: number) => {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
};

/**
 * Batch progress on stderr. On a TTY: one live bar (rows done/failed/running/queued, images,
 * $ spent of the maximum, ETA from this run's pace), with failures printed above it. Otherwise
 * one line per row event (start, done, failed, interrupted), for logs and CI.
 */
export class BatchProgress {
  private readonly startedAt: number;
  private finishedHere = 0;
  private lastDraw = -Infinity;
  private drawn = false;
  private spent = 0;
  private readonly lines = new Map<string, number>();

  constructor(private readonly o: BatchProgressOptions) {
    this.startedAt = o.now();
  }

  onEvent(e: BatchEvent, s: BatchSummary): void {
    if (e.type === 'spend') this.spent = e.spentUsd;
    if (e.type === 'row-done') this.finishedHere++;
    const text = this.describe(e, s);
    if (!this.o.tty) {
      if (text) this.o.line(text);
      return;
    }
    if (text && e.type === 'row-done' && e.status !== 'succeeded') this.above(text);
    this.draw(s, e.type === 'row-done' || e.type === 'batch-done');
  }

  /** Leaves the bar's last state on its own line. */
  end(s: BatchSummary): void {
    if (!this.o.tty) return;
    this.draw(s, true);
    if (this.drawn) this.o.tty.write('\n');
    this.drawn = false;
  }

  private describe(e: BatchEvent, s: BatchSummary): string | undefined {
    if (e.type !== 'row-start' && e.type !== 'row-done') return undefined;
    const line = this.lineOf(e.rowId, s);
    const name = line !== undefined ? `row ${e.rowId} (line ${line})` : '';
    switch (e.type) {
      case 'row-start':
        return `${name}: started`;
      case 'row-done': {
        const images = e.files.filter((f) => !f.endsWith('.json')).length;
        const req = e.requestIds.length ? `, request ${e.requestIds.join(', ')}` : '';
        if (e.status === 'succeeded') return `${name}: done — ${images} image(s), ${formatUsd(e.costUsd)}${req}`;
        if (e.status === 'interrupted') return `${name}: interrupted${req}`;
        return `${name}: FAILED — ${e.error?.message ?? 'unknown error'}${e.error?.requestId ? ` (request ${e.error.requestId})` : ''}`;
      }
    }
  }

  /** The row's line in the rows file, looked up once per batch (progress events come every poll, rows can be thousands). */
  private lineOf(rowId: string, s: BatchSummary): number | undefined {
    if (!this.lines.has(rowId)) for (const r of s.rows) this.lines.set(r.id, r.line);
    return this.lines.get(rowId);
  }

  private above(text: string): void {
    this.o.tty!.write(`\r\x1b[2K${text}\n`);
    this.drawn = false;
  }

  private draw(s: BatchSummary, force: boolean): void {
    const now = this.o.now();
    if (!force && now - this.lastDraw < (this.o.redrawMs ?? 100)) return;
    this.lastDraw = now;
    const t = s.totals;
    const settled = t.succeeded + t.failed + t.invalid + t.skipped + t.interrupted;
    const width = 20;
    const filled = t.rows ? Math.round((settled / t.rows) * width) : width;
    const left = t.queued + t.running;
    const pace = this.finishedHere / Math.max(1, now - this.startedAt);
    const eta = left && pace > 0 ? ` · ETA ${clock(left / pace)}` : '';
    const max = t.maxCostUsd !== undefined ? ` of ${formatUsd(t.maxCostUsd)} max` : '';
    const cap = t.capUsd !== undefined ? ` (cap ${formatUsd(t.capUsd)})` : '';
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${t.succeeded}/${t.rows} done · ${t.failed} failed · ${t.running} running · ${t.queued} queued · ${t.images} images · ${formatUsd(this.spent)} spent${max}${cap}${eta}`;
    const cols = this.o.tty!.columns ?? 120;
    this.o.tty!.write(`\r\x1b[2K${bar.length > cols - 1 ? `${bar.slice(0, cols - 2)}…` : bar}`);
    this.drawn = true;
  }
}
