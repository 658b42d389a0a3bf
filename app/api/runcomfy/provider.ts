import type { GenerationRequest } from '../../graph/generation';
import type { Issue } from '../../graph/issues';
import type { AssetStore } from '../../graph/node-definition';
import { abortReason } from '../../lib/clock';
import { SEEDREAM_MODEL_ID, type SeedreamInput } from '../../model/seedream';
import { ApiError, InvalidInputError } from '../errors';
import type { CancelOutcome, GenerationProvider, JobObservation, PreparedSubmit } from '../provider';
import type { RetryPolicy } from '../retry';
import type { RunComfyClient } from './client';
import { downloadOutput, type DownloadOptions } from './download';
import { checkBodySize, checkInputShape, inputError } from './input-checks';
import { resolveReferences, type FetchReference } from './references';
import type { JobResult, JobStatus } from './schemas';
import { checkSeedreamParams, summariseSent, toWireInput } from './seedream-wire';

export interface RunComfyProviderOptions {
  /** The client every exchange goes through (its base URL is the provider's `endpoint`). */
  client: RunComfyClient;
  /** Where asset references' bytes come from. */
  assets: AssetStore;
  /** Size-capped https fetch of a reference (CLI: app/server/cli/remote-image.ts; browser: the asset proxy). */
  fetchReference: FetchReference;
  /** How outputs are downloaded (fetch, size cap, proxy); clock and API host come from the client. */
  download?: Omit<DownloadOptions, 'clock' | 'apiBaseUrl' | 'retry'>;
  /**
   * Who really answers, when the client's base URL does not say (the browser's same-origin proxy
   * is `/api/v1` whether RunComfy or a simulator is behind it). Default: the client's base URL.
   */
  endpoint?: string;
}

/** What `prepare` hands to `submit`: the checked wire input and the references' labels. */
export interface RunComfyPayload {
  input: SeedreamInput;
  labels: (string | undefined)[];
}

/** Every read, cancel and download is one exchange: retrying is the ledger's business. */
const ONE_EXCHANGE: Partial<RetryPolicy> = { maxAttempts: 1 };

/**
 * Seedream 4.5 Edit Sequential on RunComfy's Model API behind the provider-neutral interface
 * (app/api/provider.ts). `prepare` checks everything before anything is paid; `submit` sends once
 * (resent only when surely not accepted: 429, connection refused); `read`/`cancel`/`download`
 * are one exchange each, and a state word it does not know is `unrecognised`, never an error.
 */
export class RunComfyProvider implements GenerationProvider {
  readonly id = 'runcomfy';
  readonly endpoint: string;
  private readonly client: RunComfyClient;

  constructor(private readonly o: RunComfyProviderOptions) {
    this.client = o.client;
    this.endpoint = o.endpoint ?? o.client.baseUrl;
  }

  async prepare(request: GenerationRequest, signal: AbortSignal): Promise<PreparedSubmit> {
    if (signal.aborted) throw abortReason(signal);
    if (request.model !== SEEDREAM_MODEL_ID) {
      const message = `Model "${request.model.slice(0, 100)}" is not offered here: the RunComfy provider runs ${SEEDREAM_MODEL_ID} only.`;
      throw new InvalidInputError(`Nothing was submitted: ${message}`, [{ severity: 'error', code: 'model-unknown', field: 'model', message }]);
    }
    const checked = checkSeedreamParams(request.params);
    const issues: Issue[] = [...checked.issues];
    if (checked.params) {
      const { maxImages } = checked.params;
      if (maxImages > request.maxOutputs) {
        issues.push({
          severity: 'error',
          code: 'max-outputs',
          field: 'params.maxImages',
          message: `params.maxImages is ${maxImages}, but the request allows at most ${request.maxOutputs} billed outputs (maxOutputs); RunComfy bills by maxImages.`,
        });
      }
      // Count and prompt first, so nothing is fetched or decoded for a request that cannot be sent.
      const placeholders = request.references.map((_, i) => `reference ${i + 1}`);
      issues.push(...checkInputShape(toWireInput(checked.params, request.prompt, placeholders)).issues);
    }
    if (issues.length > 0 || !checked.params) throw inputError(issues);
    const refs = await resolveReferences(request.references, this.o, signal);
    if (refs.issues.length > 0) throw inputError(refs.issues);
    const input = toWireInput(checked.params, request.prompt, refs.images);
    const shape = checkInputShape(input);
    if (!shape.input) throw inputError(shape.issues);
    const bodyBytes = new TextEncoder().encode(JSON.stringify(shape.input)).byteLength;
    const tooBig = checkBodySize(bodyBytes);
    if (tooBig.length > 0) throw inputError(tooBig);
    const payload: RunComfyPayload = { input: shape.input, labels: refs.labels };
    return {
      sent: summariseSent(shape.input, this.client.modelUrl, bodyBytes),
      referenceHashes: refs.hashes,
      referenceLabels: refs.labels,
      payload,
    };
  }

  async submit(prepared: PreparedSubmit): Promise<{ requestId: string }> {
    const payload = prepared.payload as Partial<RunComfyPayload> | null;
    if (!payload || typeof payload !== 'object' || !payload.input || !Array.isArray(payload.labels)) {
      throw new ApiError('config', 'This submit was not prepared by the RunComfy provider; nothing was sent. Prepare it again.');
    }
    // prepare() checked and decoded every image; the client does not decode them a second time.
    const { requestId } = await this.client.submit(payload.input, { imageLabels: payload.labels, prechecked: true });
    return { requestId };
  }

  async read(requestId: string, want: 'status' | 'result', signal?: AbortSignal): Promise<JobObservation> {
    const options = { retry: ONE_EXCHANGE, ...(signal ? { signal } : {}) };
    if (want === 'status') return observeStatus(await this.client.status(requestId, options));
    return observeResult(await this.client.result(requestId, options));
  }

  async cancel(requestId: string, signal?: AbortSignal): Promise<{ outcome: CancelOutcome }> {
    const { outcome } = await this.client.cancel(requestId, { retry: ONE_EXCHANGE, ...(signal ? { signal } : {}) });
    return { outcome };
  }

  download(url: string, signal?: AbortSignal): Promise<Uint8Array> {
    return downloadOutput(url, { ...this.o.download, clock: this.client.clock, apiBaseUrl: this.client.baseUrl, retry: ONE_EXCHANGE }, signal);
  }

  async priceUsd(model: string, signal?: AbortSignal): Promise<number | undefined> {
    if (model !== this.client.modelId) return undefined;
    const catalog = await this.client.catalog({ retry: ONE_EXCHANGE, ...(signal ? { signal } : {}) });
    return catalog.basePriceUsd;
  }
}

/**
 * The status endpoint in neutral words. It says `completed` for success and failure alike (and
 * carries no outputs), so every finish but a cancel is `terminal`: read the result to learn which.
 */
export function observeStatus(s: JobStatus): JobObservation {
  const raw = s.rawState !== undefined ? { rawState: s.rawState } : {};
  switch (s.state) {
    case 'queued':
      return { state: 'queued', ...raw, ...(s.queuePosition !== undefined ? { queuePosition: s.queuePosition } : {}) };
    case 'running':
      return { state: 'running', ...raw };
    case 'cancelled':
      return { state: 'cancelled', ...raw };
    case 'unrecognised':
      return { state: 'unrecognised', ...raw };
    default:
      return { state: 'terminal', ...raw };
  }
}

/** The result endpoint in neutral words: outputs (and cost) on success, the error as text on failure. */
export function observeResult(r: JobResult): JobObservation {
  const extra = {
    ...(r.rawState !== undefined ? { rawState: r.rawState } : {}),
    ...(r.costUsd !== undefined ? { costUsd: r.costUsd } : {}),
  };
  switch (r.state) {
    case 'succeeded':
      return { state: 'succeeded', ...extra, outputUrls: r.outputUrls };
    case 'failed':
      return { state: 'failed', ...extra, ...(r.errorText !== undefined ? { errorText: r.errorText } : {}) };
    default:
      return { state: r.state, ...extra };
  }
}
