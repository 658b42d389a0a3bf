import { readJobMeta, type JobMeta } from '../../graph/generation';
import type { ImageRef } from '../../graph/ports';
import type { HistoryEntry } from '../../store/history-entry';
import type { NodeResult } from '../../store/run-reducer';
import { imageKey } from './image-key';

/** What is known about the request that made a run's frames (every field only when known). */
export interface RunFacts {
  requestId?: string;
  jobId?: string;
  model?: string;
  prompt?: string;
  seed?: number | string;
  /** The resolution label as sent, e.g. `2048x2048 (1:1)`. */
  resolution?: string;
  /** What the whole request cost, in USD. */
  costUsd?: number;
  /** The result came from an earlier job: nothing new was paid for it. */
  reused?: boolean;
  /** Wall-clock ms. */
  finishedAt?: number;
}

/** One version of a node's output: a history entry, or the result the node shows now. */
export interface NodeRun {
  /** The request id when known, else {@link CURRENT_RUN}. Stable while the run exists. */
  key: string;
  images: readonly ImageRef[];
  facts: RunFacts;
  /** The result the node shows on the canvas. */
  current: boolean;
}

/** Key of a shown result that names no request (an unpaid node, or a result without job facts). */
export const CURRENT_RUN = 'current';

const param = (params: Readonly<Record<string, unknown>>, name: string): string | number | undefined => {
  const v = params[name];
  return typeof v === 'string' || typeof v === 'number' ? v : undefined;
};

/** The facts a paid node attached to its result. */
export function factsOfJob(job: JobMeta): RunFacts {
  const seed = param(job.request.params, 'seed');
  const resolution = param(job.request.params, 'resolution');
  return {
    requestId: job.requestId,
    jobId: job.jobId,
    model: job.request.model,
    prompt: job.request.prompt,
    ...(seed !== undefined ? { seed } : {}),
    ...(resolution !== undefined ? { resolution: String(resolution) } : {}),
    ...(job.costUsd !== undefined ? { costUsd: job.costUsd } : {}),
    ...(job.reused ? { reused: true } : {}),
  };
}

/** The facts a history entry keeps; `jobId` from the session's jobs when the ledger still knows it. */
export function factsOfEntry(entry: HistoryEntry, jobId?: string): RunFacts {
  const seed = param(entry.params, 'seed');
  const resolution = param(entry.params, 'resolution');
  return {
    requestId: entry.requestId,
    ...(jobId ? { jobId } : {}),
    model: entry.model,
    prompt: entry.prompt,
    ...(seed !== undefined ? { seed } : {}),
    ...(resolution !== undefined ? { resolution: String(resolution) } : {}),
    ...(entry.costUsd !== undefined ? { costUsd: entry.costUsd } : {}),
    finishedAt: entry.finishedAt,
  };
}

export interface NodeRunsInput {
  nodeId: string;
  /** The node's shown result, if any, and its images. */
  result: NodeResult | undefined;
  images: readonly ImageRef[];
  /** The model the node bills for; undefined for unpaid nodes (they have only their current result). */
  paidModel: string | undefined;
  history: readonly HistoryEntry[];
  /** Job ids by request id (the session's ledger records). */
  jobIds?: ReadonlyMap<string, string>;
}

/**
 * A node's runs, oldest first: for a paid node every history entry of its model made by this
 * node id or under the shown result's cache key, with the shown result marked `current` (added
 * last when the history does not hold it yet); for other nodes only the shown result.
 */
export function nodeRuns(input: NodeRunsInput): NodeRun[] {
  const { result, images, paidModel } = input;
  const job = readJobMeta(result?.meta);
  const shown: NodeRun | undefined =
    images.length > 0 ? { key: job?.requestId ?? CURRENT_RUN, images, facts: job ? factsOfJob(job) : {}, current: true } : undefined;
  if (!paidModel) return shown ? [shown] : [];
  const runs: NodeRun[] = input.history
    .filter((e) => e.model === paidModel && e.images.length > 0 && (e.nodeId === input.nodeId || (result !== undefined && e.cacheKey === result.cacheKey)))
    .sort((a, b) => a.finishedAt - b.finishedAt)
    .map((e) => {
      const facts = factsOfEntry(e, input.jobIds?.get(e.requestId));
      // The node's own result may hold more frames than the entry (a re-fetch) and the job's facts: it wins.
      if (shown && shown.key === e.requestId) return { ...shown, facts: { ...facts, ...shown.facts } };
      return { key: e.requestId, images: e.images, facts, current: false };
    });
  if (shown && !runs.some((r) => r.current)) runs.push(shown);
  return runs;
}

/** Where a frame was made: the run holding the same image, and its 1-based frame number there. */
export interface FrameOrigin<T> {
  source: T;
  frame: number;
}

/**
 * The first source whose images include `image` (same asset or URL): lets an unpaid node (a
 * Preview, a Select) show the seed, prompt and request of the generation its frame came from.
 */
export function originOf<T>(image: ImageRef, sources: Iterable<T>, imagesOf: (source: T) => readonly ImageRef[]): FrameOrigin<T> | undefined {
  const key = imageKey(image);
  for (const source of sources) {
    const i = imagesOf(source).findIndex((im) => imageKey(im) === key);
    if (i >= 0) return { source, frame: i + 1 };
  }
  return undefined;
}

/** Index of the run to show: the chosen key when it still exists, else the shown result, else the newest. */
export function runIndexOf(runs: readonly NodeRun[], chosen: string | undefined): number {
  const picked = chosen === undefined ? -1 : runs.findIndex((r) => r.key === chosen);
  if (picked >= 0) return picked;
  const current = runs.findIndex((r) => r.current);
  return current >= 0 ? current : runs.length - 1;
}
