import type { AssetStore, ProgressDetail, SeedreamApi, SeedreamJobResult } from '../graph/node-definition';
import type { ImageRef } from '../graph/ports';
import { abortReason, type Clock } from '../lib/clock';
import { DEFAULT_MAX_IMAGES, DEFAULT_RESOLUTION, type SeedreamInput } from '../model/seedream';
import { ApiError } from './errors';
import type { RunComfyClient } from './runcomfy/client';
import { downloadOutput, type DownloadOptions } from './runcomfy/download';
import { checkImageBytes, imagePlace, inputError, toDataUri } from './runcomfy/input-checks';
import { RunTimeEstimator, type PollPolicy, type RunTimeFactors } from './poll-policy';
import { waitForJob, type JobDeadlines, type JobUpdate } from './wait-for-job';

export interface SeedreamServiceOptions {
  client: Pick<RunComfyClient, 'submit' | 'status' | 'result' | 'cancel' | 'baseUrl'>;
  assets: AssetStore;
  clock: Clock;
  /** How outputs are downloaded (fetch, caps, proxy); the API base is taken from the client. */
  download?: Omit<DownloadOptions, 'clock' | 'apiBaseUrl'>;
  pollPolicy?: PollPolicy;
  deadlines?: Partial<JobDeadlines>;
  /** Shared across jobs so run-time guesses improve; one is made when absent. */
  estimator?: RunTimeEstimator;
  /**
   * When a stop cannot cancel a job (it is running, so it will be billed): `'detach'` (default,
   * the CLI) throws a `still-running` ApiError with the request id; `'collect'` (the editor) keeps polling
   * and downloading until `detachSignal` aborts, so the paid images still arrive.
   */
  onStop?: 'detach' | 'collect';
  detachSignal?: AbortSignal;
}

export interface ResumeOptions {
  signal: AbortSignal;
  onProgress?: (detail: ProgressDetail, message: string) => void;
  /** What the job was asked for, when known: sharpens the poll schedule. */
  factors?: RunTimeFactors;
}

/** The node-facing generation service, plus re-attaching to a job by its request id. */
export interface SeedreamService extends SeedreamApi {
  /** Polls (never submits) an existing request and collects its images. */
  resumeJob(requestId: string, options: ResumeOptions): Promise<SeedreamJobResult>;
}

type Progress = ((detail: ProgressDetail, message: string) => void) | undefined;

const DOWNLOAD_CONCURRENCY = 4;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The adapter nodes reach through RunContext.api. It resolves image references (asset bytes →
 * checked → data URI; https URLs as they are), submits exactly once, reports the request id the
 * moment it exists (callers journal it), waits, downloads the outputs into the asset store and
 * returns them. Stopping cancels a queued job; a running one cannot be cancelled, so stopping
 * then throws a `still-running` ApiError naming the request id (it will be billed).
 */
export function createSeedreamService(o: SeedreamServiceOptions): SeedreamService {
  const estimator = o.estimator ?? new RunTimeEstimator();
  return {
    async editSequential(request, { signal, onProgress, onSubmitted }) {
      if (signal.aborted) throw abortReason(signal);
      onProgress?.({ phase: 'validating' }, `Checking ${plural(request.images.length, 'reference image')}`);
      const { images, labels } = await resolveReferences(request.images, o.assets, signal);
      const input: SeedreamInput = {
        images,
        prompt: request.prompt,
        sequential_image_generation_options: request.maxImages,
        resolution: request.resolution,
        seed: request.seed,
      };
      if (signal.aborted) throw abortReason(signal);
      onProgress?.({ phase: 'submitting' }, 'Submitting to RunComfy (a paid request)');
      // The signal only cuts waits between safe resends: a submit in flight is let finish, and a
      // stop during it cancels the job as soon as its id is known.
      const { requestId, submittedAt } = await o.client.submit(input, { imageLabels: labels, signal });
      onProgress?.({ phase: 'queued', requestId }, `Submitted as request ${requestId}`);
      // The host records the id durably before we poll; a failing journal must not lose the job.
      try {
        await onSubmitted?.(requestId);
      } catch (e) {
        onProgress?.(
          { phase: 'queued', requestId },
          `Could not record request ${requestId} (${e instanceof Error ? e.message : String(e)}); still collecting it`,
        );
      }
      const factors: RunTimeFactors = { maxImages: request.maxImages, resolution: request.resolution, prompt: request.prompt };
      return collect(o, estimator, requestId, { signal, onProgress, factors, submittedAt, pollNow: false });
    },
    async resumeJob(requestId, { signal, onProgress, factors }) {
      if (!requestId.trim()) throw new ApiError('invalid-input', 'Cannot resume a job without a request id.');
      onProgress?.({ phase: 'queued', requestId }, `Re-attaching to request ${requestId}`);
      return collect(o, estimator, requestId, { signal, onProgress, factors, submittedAt: o.clock.now(), pollNow: true });
    },
  };
}

/** Re-attaches to an existing request id with a one-off service (see SeedreamService.resumeJob). */
export function resumeJob(options: SeedreamServiceOptions, requestId: string, resume: ResumeOptions): Promise<SeedreamJobResult> {
  return createSeedreamService(options).resumeJob(requestId, resume);
}

async function collect(
  o: SeedreamServiceOptions,
  estimator: RunTimeEstimator,
  requestId: string,
  w: { signal: AbortSignal; onProgress: Progress; factors: RunTimeFactors | undefined; submittedAt: number; pollNow: boolean },
): Promise<SeedreamJobResult> {
  const onUpdate = (u: JobUpdate) =>
    w.onProgress?.({ phase: u.state, requestId, ...(u.queuePosition !== undefined ? { queuePosition: u.queuePosition } : {}) }, u.message);
  const guess = w.factors ?? { maxImages: DEFAULT_MAX_IMAGES, resolution: DEFAULT_RESOLUTION };
  const finished = await waitForJob(o.client, requestId, {
    clock: o.clock,
    expectedRunMs: estimator.estimateMs(guess),
    submittedAt: w.submittedAt,
    pollNow: w.pollNow,
    signal: w.signal,
    onUpdate,
    ...(o.onStop ? { onStop: o.onStop } : {}),
    ...(o.detachSignal ? { detachSignal: o.detachSignal } : {}),
    ...(o.pollPolicy ? { policy: o.pollPolicy } : {}),
    ...(o.deadlines ? { deadlines: o.deadlines } : {}),
  });
  if (w.factors && !w.pollNow) estimator.observe(w.factors, finished.runMs);
  const { outputUrls, costUsd } = finished.result;
  if (outputUrls.length === 0) {
    throw new ApiError(
      'job-failed',
      `RunComfy reports request ${requestId} succeeded but returned no images. Run again (a new request), or ask RunComfy support about it.`,
      { requestId },
    );
  }
  w.onProgress?.({ phase: 'downloading', requestId }, `Downloading ${plural(outputUrls.length, 'image')}`);
  const options: DownloadOptions = { ...o.download, clock: o.clock, apiBaseUrl: o.client.baseUrl };
  let done = 0;
  // A stopped run that keeps collecting a billed job downloads until detached, not until stopped.
  const downloadSignal = o.onStop === 'collect' && w.signal.aborted ? o.detachSignal : w.signal;
  const images = await mapLimited(outputUrls, DOWNLOAD_CONCURRENCY, async (url) => {
    try {
      const bytes = await downloadOutput(url, options, downloadSignal);
      const ref = await o.assets.put(bytes, { sourceUrl: url });
      done++;
      w.onProgress?.({ phase: 'downloading', requestId }, `Downloaded ${done} of ${outputUrls.length}`);
      return ref;
    } catch (e) {
      if (e instanceof ApiError) e.requestId = requestId;
      throw e;
    }
  });
  return { requestId, images, outputUrls, ...(costUsd !== undefined ? { costUsd } : {}) };
}

/** Reference images as the API takes them, with labels (file names) for messages. */
async function resolveReferences(refs: readonly ImageRef[], assets: AssetStore, signal: AbortSignal) {
  const images: string[] = [];
  const labels: (string | undefined)[] = [];
  const issues = [];
  for (const [index, ref] of refs.entries()) {
    if (ref.kind === 'url') {
      images.push(ref.url);
      labels.push(undefined);
      continue;
    }
    const bytes = await assets.get(ref, signal);
    const label = ref.name ?? `asset ${ref.assetId.slice(0, 8)}`;
    const checked = checkImageBytes(bytes, imagePlace(index, label));
    issues.push(...checked.issues);
    labels.push(label);
    images.push(checked.image ? toDataUri(bytes, checked.image.mime) : '');
  }
  if (issues.length > 0) throw inputError(issues);
  return { images, labels };
}

/** `fn` over `items` with at most `limit` at a time, results in input order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
