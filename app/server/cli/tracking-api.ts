import type { ProgressDetail, SeedreamApi, SeedreamJobRequest } from '../../graph/node-definition';
import type { RequestRecord } from './manifest';

interface Call {
  requestId?: string;
  request: SeedreamJobRequest;
  settled: Promise<void>;
}

const OUTCOME_BY_CODE: Record<string, RequestRecord['outcome']> = {
  cancelled: 'cancelled',
  'still-running': 'still-running',
  'unknown-submission': 'unknown',
  deadline: 'still-running',
};

/**
 * Wraps the generation service to keep a record of every paid request this process made,
 * whatever becomes of the node that made it: the CLI needs the request ids of jobs that were
 * still running when the user pressed Ctrl-C (the executor stops waiting at once; the service
 * goes on to cancel or to learn that the job cannot be cancelled).
 */
export class TrackingApi implements SeedreamApi {
  private readonly calls: Call[] = [];
  readonly records: RequestRecord[] = [];

  constructor(private readonly inner: SeedreamApi) {}

  editSequential(request: SeedreamJobRequest, options: Parameters<SeedreamApi['editSequential']>[1]) {
    const call: Call = { request, settled: Promise.resolve() };
    const onProgress = (detail: ProgressDetail, message: string) => {
      if (detail.requestId) call.requestId = detail.requestId;
      options.onProgress?.(detail, message);
    };
    const promise = this.inner.editSequential(request, { ...options, onProgress });
    call.settled = promise.then(
      (result) => {
        this.records.push({
          nodeId: '',
          requestId: result.requestId,
          outcome: 'completed',
          outputUrls: result.outputUrls,
          inputs: summarise(request),
          ...(result.costUsd !== undefined ? { costUsd: result.costUsd } : {}),
        });
      },
      (err: unknown) => {
        const e = err as { code?: string; message?: string; requestId?: string };
        const requestId = e.requestId ?? call.requestId;
        if (!requestId && e.code !== 'unknown-submission') return; // never submitted: nothing to record
        this.records.push({
          nodeId: '',
          requestId: requestId ?? '(unknown — the submission may have been created)',
          outcome: OUTCOME_BY_CODE[e.code ?? ''] ?? 'failed',
          outputUrls: [],
          inputs: summarise(request),
          ...(e.message ? { message: e.message } : {}),
        });
      },
    );
    this.calls.push(call);
    return promise;
  }

  /** Waits (bounded) for every call to settle, so cancel outcomes are known before reporting. */
  async settle(timeoutMs: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
    const all = Promise.all(this.calls.map((c) => c.settled)).then(() => true);
    const done = await Promise.race([all, timeout]);
    clearTimeout(timer);
    return done;
  }

  /** Request ids known for calls that have not settled (e.g. after a bounded wait ran out). */
  unsettledIds(): string[] {
    const settledIds = new Set(this.records.map((r) => r.requestId));
    return this.calls.map((c) => c.requestId).filter((id): id is string => !!id && !settledIds.has(id));
  }
}

function summarise(r: SeedreamJobRequest): Record<string, unknown> {
  return { references: r.images.length, prompt: r.prompt, maxImages: r.maxImages, resolution: r.resolution, seed: r.seed };
}
