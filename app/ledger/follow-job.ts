import { ApiError, isApiError } from '../api/errors';
import type { GenerationProvider, JobObservation } from '../api/provider';
import type { ProgressDetail } from '../graph/generation';
import { abortReason, type Clock } from '../lib/clock';
import { ledgerMessages as say } from './messages';
import type { RecordWriter } from './record-writer';

/** What the poll schedule is told (the shape of `PollPolicy` in app/api/poll-policy.ts). */
export interface LedgerPollContext {
  phase: 'submitted' | 'queued' | 'running';
  sinceSubmitMs: number;
  sinceRunningMs?: number;
  queuePosition?: number;
  polls: number;
  factors: RunFactors;
  reattached?: boolean;
}
export interface LedgerPollPolicy {
  nextDelayMs(ctx: LedgerPollContext): number;
}
/** What the run time of a job depends on (Seedream: images and resolution). */
export interface RunFactors {
  maxImages: number;
  resolution: string;
  prompt?: string;
}
/** Learns real run times from finished jobs. */
export interface RunTimeLearner {
  observe(factors: RunFactors, runMs: number): void;
}

export interface FollowDeps {
  provider: GenerationProvider;
  clock: Clock;
  policy: LedgerPollPolicy;
  learner?: RunTimeLearner;
  /** Longest a follow keeps going without a definitive answer (default 30 min). */
  deadlineMs: number;
  random: () => number;
}

export interface FollowControl {
  /** Aborts when a stop is requested: cancel if queued, else go on or detach per `onStop`. */
  stop: AbortSignal;
  /** What a stop does to a job that cannot be cancelled: keep collecting it, or stop following. */
  onStop: 'collect' | 'detach';
  /** Aborts to stop following at once, without cancelling (the process is going away). */
  detach: AbortSignal;
  reattached: boolean;
  progress(detail: ProgressDetail, message: string): void;
  /**
   * When the submit's reply came (on `deps.clock`): the first poll's gap counts from it, so the
   * time spent recording the request id is not added to the job's wait.
   */
  repliedAt?: number;
}

/** Transient read failures: 1, 2, 4 … 30 s with jitter, or the server's Retry-After (any length). */
export function readBackoffMs(failures: number, error: unknown, random: () => number): number {
  const retryAfter = isApiError(error) ? error.retryAfterMs : undefined;
  if (retryAfter !== undefined) return Math.max(retryAfter, 250);
  const full = Math.min(30_000, 1_000 * 2 ** Math.max(0, failures - 1));
  return Math.round(full * (1 - 0.3 * random()));
}

const describeFailure = (e: unknown): string => {
  if (isApiError(e)) return `${e.status ? `HTTP ${e.status}` : e.code}${e.apiCode ? ` (error_code ${e.apiCode})` : ''}${e.status ? '' : ''}`;
  return e instanceof Error ? e.message : String(e);
};

/**
 * Polls one submitted job until a definitive answer (it succeeded: resolves; failed, was
 * cancelled, or the API no longer knows it: the record says so and an ApiError is thrown) or
 * the deadline. A read that fails for any other reason — 429 with any Retry-After, 5xx, resets,
 * timeouts, a 200 carrying `error_code`, a state word nobody documented — is ridden out with
 * backoff and said in the progress line: the job may be running and billed.
 */
export async function followJob(w: RecordWriter, deps: FollowDeps, c: FollowControl): Promise<void> {
  const { clock, provider } = deps;
  const requestId = w.current.requestId;
  if (!requestId) throw new Error(`followJob: job ${w.current.jobId} has no request id`);
  const start = Math.min(c.repliedAt ?? Infinity, clock.now());
  const deadlineAt = start + deps.deadlineMs;
  const params = w.current.sent.params;
  const factors: RunFactors = {
    maxImages: w.current.maxOutputs,
    resolution: String(params.resolution ?? ''),
    prompt: w.current.sent.prompt,
  };
  let runningSince: number | undefined = w.current.state === 'running' ? start : undefined;
  let lastQueuedAt: number | undefined;
  let lastGap: number | undefined;
  let polls = 0;
  let failures = 0;
  let lastError: unknown;
  let stopHandled = false;
  let readNow = c.reattached;
  let forceResult = false;
  // Gaps run from one read's start to the next (the policy's gap), not from when the last answer was
  // written down; from when the read was due, so a timer that fires late does not push every later read.
  let lastReadAt = start;
  let lastReadStart = start;

  // One signal for every sleep until a stop is handled (a new AbortSignal.any per poll would pile listeners onto both).
  const stopOrDetach = AbortSignal.any([c.stop, c.detach]);
  const collecting = () => c.onStop === 'collect';
  const phaseOf = (): LedgerPollContext['phase'] => {
    const s = w.current.state;
    return s === 'queued' ? 'queued' : s === 'running' ? 'running' : 'submitted';
  };

  const handleStop = async () => {
    stopHandled = true;
    const r = w.current;
    if (r.state === 'submitted' || r.state === 'queued') {
      await w.apply({ type: 'cancel-requested' }, say.cancelling(r));
      c.progress({ phase: 'cancelling', requestId, jobId: r.jobId }, say.cancelling(r));
      let outcome: 'cancelled' | 'not_cancellable' | 'unknown' | 'failed' = 'failed';
      let why = 'no answer';
      for (let attempt = 1; attempt <= 3 && !c.detach.aborted; attempt++) {
        try {
          outcome = (await provider.cancel(requestId, c.detach)).outcome;
          break;
        } catch (e) {
          why = describeFailure(e);
          if (isApiError(e, 'not-found') || attempt === 3) break;
          await clock.sleep(readBackoffMs(attempt, e, deps.random), c.detach).catch(() => undefined);
        }
      }
      await w.apply({ type: 'cancel-answered', outcome });
      if (outcome === 'cancelled') {
        await w.apply({ type: 'cancelled', message: say.cancelled(w.current) }, say.cancelled(w.current));
        throw new ApiError('cancelled', say.cancelled(w.current), { requestId });
      }
      const message = outcome === 'not_cancellable' ? say.notCancellable(w.current, collecting()) : say.cancelUnanswered(w.current, why, collecting());
      if (outcome === 'not_cancellable') {
        await w.apply({ type: 'observed', state: 'running' });
        runningSince ??= lastQueuedAt ?? start;
      }
      await w.apply({ type: 'note', note: message }, message);
      c.progress({ phase: 'running', requestId, jobId: r.jobId }, message);
      if (!collecting()) throw new ApiError('still-running', message, { requestId });
      return;
    }
    const message = say.runningCannotCancel(r, collecting());
    await w.apply({ type: 'note', note: message }, message);
    c.progress({ phase: 'running', requestId, jobId: r.jobId }, message);
    if (!collecting()) throw new ApiError('still-running', message, { requestId });
  };

  for (;;) {
    if (c.detach.aborted) throw new ApiError('still-running', say.detached(w.current), { requestId, cause: abortReason(c.detach) });
    if (c.stop.aborted && !stopHandled) {
      await handleStop();
      continue;
    }
    const now = clock.now();
    if (now >= deadlineAt) {
      const message = say.deadline(w.current, Math.round(deps.deadlineMs / 60_000));
      await w.apply({ type: 'note', note: message }, message);
      throw new ApiError('deadline', message, { requestId, detail: { phase: phaseOf() } });
    }
    let delay: number;
    if (lastError !== undefined) delay = readBackoffMs(failures, lastError, deps.random);
    else if (readNow) delay = 0;
    else {
      delay = deps.policy.nextDelayMs({
        phase: phaseOf(),
        sinceSubmitMs: now - start,
        ...(runningSince !== undefined ? { sinceRunningMs: now - runningSince } : {}),
        ...(w.current.queuePosition !== undefined ? { queuePosition: w.current.queuePosition } : {}),
        polls,
        factors,
        reattached: c.reattached,
      });
    }
    // A policy gap counts from the last read's start (at least a quarter of it from now, so a slow
    // API is never read back to back); a backoff after a failure counts from now.
    if (lastError === undefined && !readNow) delay = Math.max(delay / 4, delay - (now - lastReadAt));
    readNow = false;
    const wait = Math.max(0, Math.min(delay, deadlineAt - now));
    const dueAt = now + wait;
    const sleepSignal = stopHandled ? c.detach : stopOrDetach;
    try {
      await clock.sleep(wait, sleepSignal);
    } catch {
      continue; // stop or detach: handled at the top of the loop
    }

    const want = phaseOf() === 'running' || forceResult ? 'result' : 'status';
    let obs: JobObservation;
    polls++;
    const readAt = clock.now();
    lastGap = readAt - lastReadStart;
    lastReadStart = readAt;
    lastReadAt = Math.min(readAt, dueAt);
    try {
      obs = await provider.read(requestId, want, c.detach);
    } catch (e) {
      if (c.detach.aborted) continue;
      if (isApiError(e, 'not-found')) {
        const message = say.lost(w.current);
        await w.apply({ type: 'lost', message }, message);
        throw new ApiError('not-found', message, { requestId, cause: e });
      }
      failures++;
      lastError = e;
      const message = say.retrying(
        w.current,
        isApiError(e) && e.status ? `The API answered ${describeFailure(e)}` : `A read got no answer (${describeFailure(e)})`,
        readBackoffMs(failures, e, () => 0.5),
      );
      await w.apply({ type: 'note', note: message }, message, { persist: false });
      c.progress({ phase: phaseOf() === 'running' ? 'running' : 'queued', requestId, jobId: w.current.jobId, retrying: describeFailure(e) }, message);
      continue;
    }
    if (lastError !== undefined) {
      lastError = undefined;
      failures = 0;
      await w.apply({ type: 'note', note: undefined }, undefined, { persist: false });
    }
    forceResult = false;
    switch (obs.state) {
      case 'queued': {
        const changed = w.current.state !== 'queued';
        lastQueuedAt = clock.now();
        await w.apply({ type: 'observed', state: 'queued', ...(obs.queuePosition !== undefined ? { queuePosition: obs.queuePosition } : {}) }, undefined, {
          persist: changed,
        });
        c.progress(
          { phase: 'queued', requestId, jobId: w.current.jobId, ...(obs.queuePosition !== undefined ? { queuePosition: obs.queuePosition } : {}) },
          say.queued(w.current),
        );
        break;
      }
      case 'running':
        if (w.current.state !== 'running') {
          runningSince = lastQueuedAt ?? (c.reattached ? clock.now() : start);
          await w.apply({ type: 'observed', state: 'running' });
        }
        c.progress({ phase: 'running', requestId, jobId: w.current.jobId }, w.current.note ?? say.running(w.current));
        break;
      case 'terminal':
        forceResult = true;
        readNow = true;
        break;
      case 'unrecognised': {
        const message = say.unknownState(w.current, obs.rawState);
        await w.apply({ type: 'note', note: message }, message, { persist: false });
        c.progress({ phase: phaseOf() === 'running' ? 'running' : 'queued', requestId, jobId: w.current.jobId, retrying: `state "${obs.rawState}"` }, message);
        break;
      }
      case 'succeeded': {
        const urls = obs.outputUrls ?? [];
        if (urls.length === 0) {
          const message = say.noOutputs(w.current);
          await w.apply({ type: 'failed', code: 'job-failed', message }, message);
          throw new ApiError('job-failed', message, { requestId });
        }
        if (!c.reattached && runningSince !== undefined) deps.learner?.observe(factors, Math.max(0, clock.now() - (lastGap ?? 0) / 2 - runningSince));
        // The downloads start while the URLs are written down (the request id already is: a crash now re-reads them).
        await w.applySoon({ type: 'succeeded', outputUrls: urls, ...(obs.costUsd !== undefined ? { costUsd: obs.costUsd } : {}) });
        return;
      }
      case 'failed': {
        const message = say.failed(w.current, obs.errorText ?? 'no reason given');
        await w.apply({ type: 'failed', code: 'job-failed', message }, message);
        throw new ApiError('job-failed', message, { requestId, detail: obs.errorText });
      }
      case 'cancelled': {
        const message = w.current.cancel ? say.cancelled(w.current) : say.cancelledElsewhere(w.current);
        await w.apply({ type: 'cancelled', message }, message);
        throw new ApiError('cancelled', message, { requestId });
      }
    }
  }
}
