import { isApiError } from '../api/errors';
import type { GenerationProvider } from '../api/provider';
import type { ProgressDetail } from '../graph/generation';
import type { AssetStore } from '../graph/node-definition';
import type { Clock } from '../lib/clock';
import { ledgerMessages as say } from './messages';
import type { JobRecord } from './job-record';
import type { RecordWriter } from './record-writer';
import type { JobEvent } from './transitions';

/** Downloads at once per job. */
const DOWNLOAD_CONCURRENCY = 4;
/** Attempts per image in one collection; a file the host says is gone gets two. */
const ATTEMPTS = 4;
const EXPIRED_ATTEMPTS = 2;

export interface CollectDeps {
  provider: GenerationProvider;
  assets: AssetStore;
  clock: Clock;
}

/**
 * Fetches every output whose bytes are not stored yet, each on its own: an image is stored (and
 * the record says so) the moment it arrives, and retried alone when it fails, so one bad URL
 * never costs the others. Afterwards the record is `stored` (maybe `partial`), `outputs-expired`
 * when the host says every missing file is gone, or still `completed` (partial) when they could
 * not be fetched for a passing reason. `retryExpired` tries files marked gone once more (the
 * user's "fetch missing images").
 */
export async function collectOutputs(
  w: RecordWriter,
  deps: CollectDeps,
  signal: AbortSignal,
  progress: (detail: ProgressDetail, message: string) => void,
  options: { retryExpired?: boolean } = {},
): Promise<void> {
  const todo = w.current.outputs.filter((o) => o.assetId === undefined && (options.retryExpired || !o.expired));
  const total = w.current.outputs.length;
  const { requestId, jobId } = w.current;
  let done = w.current.outputs.length - w.current.outputs.filter((o) => o.assetId === undefined).length;
  if (todo.length > 0) progress({ phase: 'downloading', jobId, ...(requestId ? { requestId } : {}) }, `Fetching ${todo.length} of ${total} images`);

  // Items not yet stored or given up: the write of the last one stored also settles the downloads
  // (it is queued after every other item's write, so it sees them all).
  let unsettled = todo.length;
  let settled: JobRecord | undefined;
  const fetchOne = async (index: number, url: string) => {
    const item = { counted: false };
    try {
      await fetchAttempts(index, url, item);
    } finally {
      if (!item.counted) unsettled--;
    }
  };
  const fetchAttempts = async (index: number, url: string, item: { counted: boolean }) => {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      if (signal.aborted) return;
      try {
        const bytes = await deps.provider.download(url, signal);
        const ref = await deps.assets.put(bytes, { sourceUrl: url });
        done++;
        const stored: JobEvent = {
          type: 'output-stored',
          index,
          assetId: ref.assetId,
          mime: ref.mime,
          ...(ref.width ? { width: ref.width } : {}),
          ...(ref.height ? { height: ref.height } : {}),
        };
        if (!item.counted) unsettled--;
        item.counted = true;
        const last = unsettled === 0 && !signal.aborted;
        const r = await w.apply(last ? [stored, { type: 'downloads-settled' }] : stored);
        if (last) settled = r;
        progress({ phase: 'downloading', jobId, ...(requestId ? { requestId } : {}) }, say.storedImage(done, total));
        return;
      } catch (e) {
        if (signal.aborted) return;
        const expired = isApiError(e, 'download') && (e as { expired?: boolean }).expired === true;
        const message = e instanceof Error ? e.message : String(e);
        await w.apply({ type: 'output-failed', index, error: message, expired });
        if (attempt >= (expired ? EXPIRED_ATTEMPTS : ATTEMPTS)) return;
        const retryAfter = isApiError(e) ? e.retryAfterMs : undefined;
        await deps.clock.sleep(Math.min(30_000, retryAfter ?? 1_000 * 2 ** (attempt - 1)), signal).catch(() => undefined);
      }
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const o = todo[next++]!;
      await fetchOne(o.index, o.url);
    }
  };
  await Promise.all(Array.from({ length: Math.min(DOWNLOAD_CONCURRENCY, todo.length) }, worker));
  if (signal.aborted && w.current.outputs.some((o) => o.assetId === undefined)) return;
  const r = settled ?? (await w.apply({ type: 'downloads-settled' }));
  // Expired outputs are not "free to fetch later": the caller says they need paying again.
  if (r.partial && r.state !== 'outputs-expired')
    progress({ phase: 'downloading', jobId, ...(requestId ? { requestId } : {}) }, r.state === 'stored' ? say.partial(r) : say.noneFetched(r));
}
