import type { RunEvent } from '../../engine/events';
import { readJobMeta, type ProgressDetail } from '../../graph/generation';

const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/**
 * Human progress on stderr, one line per change: per node, its phase, queue position, request id
 * and elapsed time. Repeated identical poll updates are folded (at most one line per 10 s) so
 * long queues do not flood the terminal.
 */
export class ProgressReporter {
  private readonly startedAt = new Map<string, number>();
  private readonly last = new Map<string, { line: string; at: number }>();

  constructor(
    private readonly write: (line: string) => void,
    private readonly now: () => number,
  ) {}

  onEvent(event: RunEvent): void {
    switch (event.type) {
      case 'node-start':
        this.startedAt.set(event.nodeId, event.at);
        this.emit(event.nodeId, 'started');
        break;
      case 'node-progress':
        this.progress(event.nodeId, event.message, event.detail);
        break;
      case 'node-cached':
        this.emit(event.nodeId, 'cached — nothing submitted');
        break;
      case 'node-done':
        this.emit(event.nodeId, `done in ${secs(event.durationMs)}${describeMeta(event.meta)}`);
        break;
      case 'node-error':
        // A stop is not a failure of the node: the lines after it say what became of its job.
        if (event.error.code === 'aborted') this.emit(event.nodeId, 'stopped');
        else this.emit(event.nodeId, `FAILED: ${event.error.message}${mentions(event.error.message, event.error.requestId)}`);
        break;
      case 'node-skipped':
        this.emit(event.nodeId, event.reason === 'upstream-failed' ? `skipped (${event.because ?? 'an input'} failed)` : `skipped (${event.reason})`);
        break;
      default:
        break;
    }
  }

  private progress(nodeId: string, message: string | undefined, detail: ProgressDetail | undefined): void {
    // Retries, refused cancels and billing notes are sentences worth reading in full.
    const sentence = message && (detail?.retrying || detail?.phase === 'cancelling' || /billed|cancel/i.test(message)) ? message : undefined;
    const parts: string[] = [];
    if (detail?.phase) parts.push(detail.phase);
    if (detail?.queuePosition !== undefined) parts.push(`position ${detail.queuePosition}`);
    if (detail?.requestId && !sentence?.includes(detail.requestId)) parts.push(`request ${detail.requestId}`);
    const state = parts.join(', ') || (sentence ? 'working' : message) || 'working';
    const key = `${state}|${sentence ?? ''}`;
    const prev = this.last.get(nodeId);
    if (prev && prev.line === key && this.now() - prev.at < 10_000) return;
    this.last.set(nodeId, { line: key, at: this.now() });
    const start = this.startedAt.get(nodeId);
    const elapsed = start === undefined ? undefined : secs(this.now() - start);
    if (sentence) this.emit(nodeId, `${state}${elapsed ? ` (${elapsed})` : ''}: ${sentence}`);
    else this.emit(nodeId, elapsed ? `${state} — ${elapsed}` : state);
  }

  private emit(nodeId: string, text: string): void {
    this.write(`[${nodeId}] ${text}`);
  }
}

/** ` (request …)` unless the message already names it. */
const mentions = (message: string, requestId: string | undefined) => (requestId && !message.includes(requestId) ? ` (request ${requestId})` : '');

function describeMeta(meta: Record<string, unknown>): string {
  const bits: string[] = [];
  const job = readJobMeta(meta);
  if (job) bits.push(`request ${job.requestId}`);
  if (job?.costUsd !== undefined && !job.reused) bits.push(`$${job.costUsd.toFixed(2)}`);
  if (job?.reused) bits.push('reused, nothing paid');
  if (job?.missing.length) bits.push(`${job.missing.length} image(s) missing`);
  if (Array.isArray(meta.files)) bits.push(`${meta.files.length} file(s)`);
  return bits.length ? ` (${bits.join(', ')})` : '';
}
