import { z } from 'zod';
import type { ProgressDetail, SeedreamApi, SeedreamCallOptions, SeedreamJobRequest, SeedreamJobResult } from '../graph/node-definition';
import type { CacheStore } from './cache';

/**
 * The request journal: every paid Seedream request id is written down before its first poll and
 * kept until its images are safely in the result cache. After a reload or a crash, `resumeAll`
 * re-attaches to what was in flight (polling only, never submitting), so results land on the
 * right node and no job is paid for twice. An id the API no longer knows becomes `lost`: shown,
 * never silently resubmitted.
 */
export const zJournalEntry = z.object({
  requestId: z.string().min(1),
  nodeId: z.string(),
  /** The node's cache key when it submitted: where the result belongs. */
  cacheKey: z.string(),
  /** Wall-clock ms since 1970 of the submit. */
  submittedAt: z.number(),
  request: z.object({
    references: z.number().int(),
    prompt: z.string(),
    maxImages: z.number().int(),
    resolution: z.string(),
    seed: z.number().int(),
  }),
  status: z.enum(['in-flight', 'lost']),
  /** Why it is lost, or the last error seen while re-attaching. */
  message: z.string().optional(),
});
export type JournalEntry = z.infer<typeof zJournalEntry>;

/** Durable storage of journal entries (IndexedDB in the browser, a folder in the CLI). */
export interface JournalStore {
  put(entry: JournalEntry): Promise<void>;
  delete(requestId: string): Promise<void>;
  list(): Promise<JournalEntry[]>;
}

/** Re-attaching needs the service's poll-only entry point. */
export interface ResumableSeedreamApi extends SeedreamApi {
  resumeJob(
    requestId: string,
    options: {
      signal: AbortSignal;
      onProgress?: (detail: ProgressDetail, message: string) => void;
      factors?: { maxImages: number; resolution: string; prompt?: string };
    },
  ): Promise<SeedreamJobResult>;
}

export interface ResumeReport {
  entry: JournalEntry;
  outcome: 'completed' | 'lost' | 'error';
  result?: SeedreamJobResult;
  message?: string;
}

/** What the Seedream node returns and annotates for a result, so a resumed job caches the same way. */
export function seedreamCacheEntry(result: SeedreamJobResult, request: JournalEntry['request']) {
  return {
    outputs: { images: result.images },
    meta: {
      requestId: result.requestId,
      outputUrls: result.outputUrls,
      request,
      ...(result.costUsd !== undefined ? { costUsd: result.costUsd } : {}),
    },
  };
}

/** Error codes after which nothing more can come of a request: forget it. */
const FINAL_CODES = new Set(['cancelled', 'job-failed', 'invalid-input']);

export interface JournaledSeedream {
  /** Use as RunContext.api: journals submits, and joins a job already in flight for the same work. */
  api: SeedreamApi;
  /** Re-attaches to every in-flight entry (and reports lost ones). Safe to call more than once. */
  resumeAll(options: { signal: AbortSignal; onProgress?: (entry: JournalEntry, detail: ProgressDetail, message: string) => void }): Promise<ResumeReport[]>;
  /** Forgets a lost entry once the user has seen it. */
  dismiss(requestId: string): Promise<void>;
  /** Cache keys with a job in flight in this session (their nodes are busy). */
  inFlightKeys(): string[];
}

/**
 * Wraps the generation service with the journal. `now` gives wall-clock ms for `submittedAt`.
 * Results are written to `cache` under the node's key as soon as they arrive (before the journal
 * entry is removed), so the paid images survive even if the page dies right after.
 */
export function journaledSeedream(inner: ResumableSeedreamApi, store: JournalStore, cache: CacheStore, now: () => number = Date.now): JournaledSeedream {
  const active = new Map<string, Promise<SeedreamJobResult>>();

  const track = (cacheKey: string | undefined, promise: Promise<SeedreamJobResult>) => {
    if (!cacheKey) return promise;
    active.set(cacheKey, promise);
    const clear = () => {
      if (active.get(cacheKey) === promise) active.delete(cacheKey);
    };
    promise.then(clear, clear);
    return promise;
  };

  const settle = async (entry: JournalEntry, outcome: Promise<SeedreamJobResult>): Promise<SeedreamJobResult> => {
    try {
      const result = await outcome;
      await cache.set(entry.cacheKey, seedreamCacheEntry(result, entry.request));
      await store.delete(entry.requestId);
      return result;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === 'not-found') await store.put({ ...entry, status: 'lost', message: lostMessage(entry, e) });
      else if (typeof code === 'string' && FINAL_CODES.has(code)) await store.delete(entry.requestId);
      // Anything else (still running, download failed, network): keep it in flight to resume later.
      throw e;
    }
  };

  const api: SeedreamApi = {
    editSequential(request: SeedreamJobRequest, options: SeedreamCallOptions) {
      const key = options.job?.cacheKey;
      const running = key ? active.get(key) : undefined;
      if (running) {
        options.onProgress?.({ phase: 'running' }, 'The same request is already in flight; waiting for it instead of submitting again');
        return running;
      }
      let entry: JournalEntry | undefined;
      const onSubmitted = async (requestId: string) => {
        entry = {
          requestId,
          nodeId: options.job?.nodeId ?? '',
          cacheKey: key ?? '',
          submittedAt: now(),
          request: {
            references: request.images.length,
            prompt: request.prompt,
            maxImages: request.maxImages,
            resolution: request.resolution,
            seed: request.seed,
          },
          status: 'in-flight',
        };
        await store.put(entry);
        await options.onSubmitted?.(requestId);
      };
      const outcome = inner.editSequential(request, { ...options, onSubmitted });
      const journaled = outcome.then(
        (result) => (entry && key ? settle(entry, Promise.resolve(result)) : result),
        (e: unknown) => (entry && key ? settle(entry, Promise.reject(e)) : Promise.reject(e)),
      );
      return track(key, journaled);
    },
  };

  return {
    api,
    inFlightKeys: () => [...active.keys()],
    dismiss: (requestId) => store.delete(requestId),
    async resumeAll({ signal, onProgress }) {
      const entries = await store.list();
      return Promise.all(
        entries.map(async (entry): Promise<ResumeReport> => {
          if (entry.status === 'lost') return { entry, outcome: 'lost', message: entry.message ?? lostMessage(entry) };
          const already = active.get(entry.cacheKey);
          const outcome =
            already ??
            track(
              entry.cacheKey,
              settle(
                entry,
                inner.resumeJob(entry.requestId, {
                  signal,
                  onProgress: (detail, message) => onProgress?.(entry, detail, message),
                  factors: { maxImages: entry.request.maxImages, resolution: entry.request.resolution, prompt: entry.request.prompt },
                }),
              ),
            );
          try {
            return { entry, outcome: 'completed', result: await outcome };
          } catch (e) {
            const lost = (e as { code?: unknown }).code === 'not-found';
            return { entry, outcome: lost ? 'lost' : 'error', message: lost ? lostMessage(entry, e) : e instanceof Error ? e.message : String(e) };
          }
        }),
      );
    },
  };
}

function lostMessage(entry: JournalEntry, error?: unknown): string {
  const why = error instanceof Error ? ` (${error.message})` : '';
  return `Request ${entry.requestId} is no longer known to RunComfy${why}: its images are lost. It was not resubmitted; run the node again to make a new (paid) request.`;
}

/** An in-memory journal (tests; hosts without durable storage). */
export class MemoryJournalStore implements JournalStore {
  readonly entries = new Map<string, JournalEntry>();
  async put(entry: JournalEntry) {
    this.entries.set(entry.requestId, structuredClone(entry));
  }
  async delete(requestId: string) {
    this.entries.delete(requestId);
  }
  async list() {
    return [...this.entries.values()].map((e) => structuredClone(e));
  }
}
