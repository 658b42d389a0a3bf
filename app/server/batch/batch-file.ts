import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseBatchSummary, type BatchSummary } from '../../batch';
import { writeFileAtomic } from '../file-atomic';

export const BATCH_FILE = 'batch.json';

/** Atomic writes of batch files (manifests, batch.json); see file-atomic.ts. */
export { writeFileAtomic };

/** An earlier batch.json in `outDir`: its summary, nothing (no file), or why it cannot be used. */
export async function readBatchFile(outDir: string): Promise<{ summary?: BatchSummary; problem?: string }> {
  let text: string;
  try {
    text = await readFile(join(outDir, BATCH_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    return { problem: e instanceof Error ? e.message : String(e) };
  }
  try {
    const parsed = parseBatchSummary(JSON.parse(text));
    return parsed.ok ? { summary: parsed.summary } : { problem: parsed.problem };
  } catch (e) {
    return { problem: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * `<out>/batch.json`, rewritten as the batch goes: at most once per `minIntervalMs` while rows
 * finish (the last state is never dropped, only delayed), each write atomic, writes one at a time.
 */
export class BatchFileWriter {
  private latest: BatchSummary | undefined;
  private written: BatchSummary | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private lastWriteAt = -Infinity;
  private failure: unknown;

  constructor(
    readonly path: string,
    private readonly minIntervalMs = 500,
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {}

  /** The summary to write next (throttled). */
  update(summary: BatchSummary): void {
    this.latest = summary;
    if (this.timer) return;
    const wait = Math.max(0, this.lastWriteAt + this.minIntervalMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, wait);
  }

  /** Writes the latest summary now and waits for every write; rejects if the last one failed. */
  async flush(summary?: BatchSummary): Promise<void> {
    if (summary) this.latest = summary;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.write();
    if (this.failure) throw this.failure;
  }

  private write(): Promise<void> {
    this.chain = this.chain.then(async () => {
      const s = this.latest;
      if (!s || s === this.written) return;
      this.lastWriteAt = performance.now();
      try {
        await writeFileAtomic(this.path, `${JSON.stringify(s, null, 2)}\n`, { sync: true });
        this.written = s;
        this.failure = undefined;
      } catch (e) {
        this.failure = e;
        this.onError(e);
      }
    });
    return this.chain;
  }
}
