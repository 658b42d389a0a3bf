import type { Clock } from '../lib/clock';
import { ApiError } from './errors';
import { adaptivePollPolicy, type PollPolicy } from './poll-policy';
import type { RunComfyClient } from './runcomfy/client';
import { isTerminal, type CancelOutcome, type JobResult, type JobState } from './runcomfy/schemas';

/** Per-job limits. */
export interface JobDeadlines {
  /** Queued longer than this (from submit) → cancel, and say so. Default 15 min. */
  queuedMs: number;
  /** Running longer than this → stop waiting (the job keeps running, billed), and say so. Default 30 min. */
  runningMs: number;
}
export const DEFAULT_DEADLINES: JobDeadlines = { queuedMs: 15 * 60_000, runningMs: 30 * 60_000 };

export interface JobUpdate {
  requestId: string;
  state: 'queued' | 'running' | 'cancelling';
  queuePosition?: number;
  message: string;
}

export interface WaitOptions {
  clock: Clock;
  policy?: PollPolicy;
  /** Expected run time (queue excluded), for the poll schedule. */
  expectedRunMs: number;
  deadlines?: Partial<JobDeadlines>;
  /** Clock time of the submit (default: now). */
  submittedAt?: number;
  /** Poll at once instead of on the schedule (re-attaching to a job of unknown age). */
  pollNow?: boolean;
  /**
   * Stop: the job is cancelled if still queued (not billed). If it cannot be cancelled,
   * `onStop: 'detach'` (default) throws a `still-running` ApiError; `'collect'` keeps collecting its
   * (billed) result until `detachSignal` aborts.
   */
  signal?: AbortSignal;
  onStop?: 'detach' | 'collect';
  detachSignal?: AbortSignal;
  onUpdate?: (update: JobUpdate) => void;
}

export interface FinishedJob {
  result: JobResult;
  /** Requests made (cancel included). */
  requests: number;
  /** Best estimate of the run time (queue excluded), for learning. */
  runMs: number;
}

type JobReader = Pick<RunComfyClient, 'status' | 'result' | 'cancel'>;

const secs = (ms: number) => `${Math.round(ms / 1000)} s`;

/**
 * Polls one job until it succeeds (returned), fails, is cancelled or a deadline passes (typed
 * errors, each with the request id). While the job may be queued it reads the status endpoint
 * (queue position); once running it reads the result endpoint alone, so the poll that sees the
 * job finish also brings its outputs. Nothing is requested after a terminal state.
 */
export async function waitForJob(client: JobReader, requestId: string, o: WaitOptions): Promise<FinishedJob> {
  const { clock } = o;
  const policy = o.policy ?? adaptivePollPolicy();
  const limits = { ...DEFAULT_DEADLINES, ...o.deadlines };
  const submittedAt = o.submittedAt ?? clock.now();
  let phase: 'submitted' | 'queued' | 'running' = 'submitted';
  let anchor = submittedAt;
  let runningSince = submittedAt;
  let queuedPolls = 0;
  let requests = 0;
  let lastGap!: number;
  let pollNow = o.pollNow ?? false;
  let stopSignal = o.signal;
  let lastReport = '';
  const report = (u: Omit<JobUpdate, 'requestId'>) => {
    const key = `${u.state}/${u.queuePosition}`;
    if (key !== lastReport) o.onUpdate?.({ requestId, ...u });
    lastReport = key;
  };

  const cancel = async (): Promise<{ outcome: CancelOutcome | 'failed'; error?: ApiError }> => {
    report({ state: 'cancelling', message: `Cancelling request ${requestId}` });
    requests++;
    try {
      return { outcome: (await client.cancel(requestId)).outcome };
    } catch (e) {
      if (e instanceof ApiError) return { outcome: 'failed', error: e };
      throw e;
    }
  };

  /** The caller stopped: cancel if it may still be queued; else detach or keep collecting. */
  const stop = async (): Promise<void> => {
    const { outcome, error } = phase === 'running' ? { outcome: 'not_cancellable' as const, error: undefined } : await cancel();
    if (outcome === 'cancelled') {
      throw new ApiError('cancelled', `Stopped: request ${requestId} was cancelled at RunComfy before it started; it will not be billed.`, { requestId });
    }
    const why =
      outcome === 'failed'
        ? `request ${requestId} may still be running \u2014 and billed: cancelling it failed (${error?.message ?? 'no answer'})`
        : outcome === 'unknown'
          ? `request ${requestId} may still be running \u2014 and billed: RunComfy did not say whether it was cancelled`
          : `request ${requestId} is still running \u2014 will be billed (a running job cannot be cancelled)`;
    if (o.onStop === 'collect' && !o.detachSignal?.aborted) {
      stopSignal = o.detachSignal;
      if (phase !== 'running') {
        // Not cancellable means it has started: poll it as running from now on.
        phase = 'running';
        runningSince = anchor;
      }
      report({ state: 'running', message: `Could not cancel: ${why}. Collecting its images.` });
      return;
    }
    throw new ApiError('still-running', `Stopped waiting: ${why}. Its images can still be collected with this request id until RunComfy expires it.`, {
      requestId,
      ...(error ? { cause: error } : {}),
    });
  };

  for (;;) {
    const now = clock.now();
    const deadlineAt = phase === 'queued' ? submittedAt + limits.queuedMs : runningSince + limits.runningMs;
    const delay = pollNow ? 0 : policy.nextDelayMs({ phase, sinceAnchorMs: now - anchor, queuedPolls, expectedRunMs: o.expectedRunMs });
    pollNow = false;
    const wakeAt = Math.min(now + delay, Math.max(now, deadlineAt));
    try {
      await clock.sleep(wakeAt - now, stopSignal);
    } catch (e) {
      if (!stopSignal?.aborted) throw e;
      await stop();
      continue;
    }
    lastGap = wakeAt - now;

    if (phase === 'queued' && clock.now() >= deadlineAt) {
      const { outcome, error } = await cancel();
      if (outcome === 'cancelled') {
        throw new ApiError(
          'deadline',
          `Request ${requestId} waited in RunComfy's queue for more than ${secs(limits.queuedMs)}, so it was cancelled (not billed). Try again later, or allow a longer queue wait.`,
          { requestId, detail: { phase: 'queued', cancelled: true } },
        );
      }
      if (outcome === 'failed') {
        throw new ApiError(
          'deadline',
          `Request ${requestId} waited in RunComfy's queue for more than ${secs(limits.queuedMs)}; cancelling it failed (${error?.message ?? 'no answer'}), so it may still run and be billed. Stopped waiting.`,
          { requestId, detail: { phase: 'queued', cancelled: false }, ...(error ? { cause: error } : {}) },
        );
      }
      // Not cancellable: it started meanwhile. Keep collecting under the running deadline.
      phase = 'running';
      runningSince = clock.now();
      pollNow = true;
      continue;
    }

    let state: JobState;
    let result: JobResult | undefined;
    let queuePosition: number | undefined;
    requests++;
    try {
      if (phase === 'running') {
        result = await client.result(requestId, stopSignal ? { signal: stopSignal } : {});
        state = result.state;
      } else {
        const status = await client.status(requestId, stopSignal ? { signal: stopSignal } : {});
        state = status.state;
        queuePosition = status.queuePosition;
      }
    } catch (e) {
      if (stopSignal?.aborted) {
        await stop();
        continue;
      }
      // The request id is a field: whoever shows the error says the job may still be running.
      if (e instanceof ApiError && e.code !== 'not-found') e.requestId = requestId;
      throw e;
    }

    if (result?.state === 'succeeded') {
      return { result, requests, runMs: Math.max(0, clock.now() - lastGap / 2 - runningSince) };
    }
    if (state === 'failed' && result) {
      throw new ApiError(
        'job-failed',
        `RunComfy reports that request ${requestId} failed: ${result.errorText ?? 'no reason given'}. Check the images and the prompt, then run again (a new request). Whether failed requests are billed is not documented.`,
        { requestId, detail: result.errorText },
      );
    }
    if (state === 'cancelled') {
      throw new ApiError('cancelled', `Request ${requestId} was cancelled at RunComfy (not by this run); it will not be billed.`, { requestId });
    }
    if (isTerminal(state)) {
      // The status endpoint cannot tell success from failure: read the result now.
      phase = 'running';
      pollNow = true;
      continue;
    }
    if (state === 'queued') {
      phase = 'queued';
      anchor = clock.now();
      queuedPolls++;
      report({ state: 'queued', ...(queuePosition !== undefined ? { queuePosition } : {}), message: queueMessage(requestId, queuePosition) });
      continue;
    }
    if (phase !== 'running') {
      // It started somewhere after the last poll that saw it queued (or after the submit).
      runningSince = anchor;
      phase = 'running';
    }
    report({ state: 'running', message: `Request ${requestId} is running at RunComfy` });
    if (clock.now() >= runningSince + limits.runningMs) {
      throw new ApiError(
        'deadline',
        `Request ${requestId} has been running for more than ${secs(limits.runningMs)}; stopped waiting. It is still running at RunComfy and will be billed; collect its images later with this request id.`,
        { requestId, detail: { phase: 'running', cancelled: false } },
      );
    }
  }
}

function queueMessage(requestId: string, position: number | undefined): string {
  return position !== undefined ? `Request ${requestId} is queued at RunComfy (position ${position})` : `Request ${requestId} is queued at RunComfy`;
}
