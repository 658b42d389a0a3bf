import { ApiError, isApiError } from '../api/errors';
import type { GenerationProvider, PreparedSubmit } from '../api/provider';
import type { GenerationCallOptions, GenerationRequest, GenerationResult, PaidGeneration, ProgressDetail } from '../graph/generation';
import type { AssetStore } from '../graph/node-definition';
import { abortReason, type Clock } from '../lib/clock';
import { collectOutputs } from './collect-outputs';
import { followJob, type LedgerPollPolicy, type RunTimeLearner } from './follow-job';
import { JOB_RECORD_VERSION, REPAY_STATES, type JobOwner, type JobRecord } from './job-record';
import type { LedgerStore } from './ledger-store';
import { defaultRepayHint, ledgerMessages as say, type RepayHint } from './messages';
import { RecordWriter, type LedgerUpdate } from './record-writer';
import { resultOf } from './result-of';
import { ownedElsewhere, workStatus, type OwnerView, type WorkStatus } from './work-status';

export interface LedgerOwnerIdentity {
  /** Unique per process/tab/worker (a browser tab keeps its id across reloads). */
  id: string;
  host?: string;
  pid?: number;
}

export interface JobLedgerOptions {
  store: LedgerStore;
  provider: GenerationProvider;
  /** Where output bytes are stored as they arrive. */
  assets: AssetStore;
  /** Waits and durations (a fake one in tests). */
  clock: Clock;
  /** Wall-clock ms for record timestamps and leases. */
  wallNow?: () => number;
  owner: LedgerOwnerIdentity;
  /** Whether another owner is alive, when the host can tell (same machine: its pid); else its lease decides. */
  isOwnerAlive?: (owner: JobOwner) => boolean | undefined;
  /** How long an owner is presumed alive after its last word (default 60 s). */
  leaseMs?: number;
  policy: LedgerPollPolicy;
  learner?: RunTimeLearner;
  /** Longest a follow waits for a definitive answer (default 30 min, like RunComfy's own plugin). */
  deadlineMs?: number;
  /** A stop while a job runs (it cannot be cancelled): keep collecting it (editor) or stop following (CLI). */
  onStop?: 'collect' | 'detach';
  /** How this host tells people to pay again: a CLI flag, an editor button. */
  repayHint?: RepayHint;
  random?: () => number;
  newJobId?: () => string;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

interface LiveJob {
  writer: RecordWriter;
  stop: AbortController;
  detach: AbortController;
  listeners: Set<(detail: ProgressDetail, message: string) => void>;
  promise: Promise<GenerationResult>;
  /** Set while the submit is in flight (its reply is awaited even after a stop). */
  submitting: boolean;
}

export interface RecoveryReport {
  /** Jobs in flight when the last process stopped: followed again (polling only). */
  reattached: JobRecord[];
  /** Intents whose submit may or may not have been created: now `unknown-submission`. */
  orphaned: JobRecord[];
  /** Earlier attempts that need the user's choice before this work is paid for again. */
  blocked: JobRecord[];
  /** Jobs another living process follows. */
  elsewhere: JobRecord[];
}

const DEFAULT_DEADLINE_MS = 30 * 60_000;
const WATCH_INTERVAL_MS = 1_000;

function randomId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return c?.randomUUID?.() ?? `job-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Records of finished jobs kept for `recentRecord` (a few rows' worth at any concurrency). */
const RECENT_RECORDS = 256;

/**
 * The job ledger: the one owner of every paid job. Nodes reach it as `PaidGeneration`; the
 * executor, re-attach after a reload or crash, the CLI, late results after a stop, cancel and
 * history all read and write jobs only through it. It writes the intent durably before the
 * submit leaves, never resubmits an unknown one, polls what may be billed until a definitive
 * answer or its deadline, stores each image as it arrives, and says "not billed" only when the
 * provider did.
 */
export class JobLedger implements PaidGeneration {
  private readonly liveByJob = new Map<string, LiveJob>();
  private readonly liveByKey = new Map<string, LiveJob>();
  /** The last record of jobs this ledger followed here, newest last (at most RECENT_RECORDS): see recentRecord. */
  private readonly recent = new Map<string, JobRecord>();
  private readonly keyLocks = new Map<string, Promise<unknown>>();
  private readonly repayAllowed = new Set<string>();
  private readonly listeners = new Set<(u: LedgerUpdate) => void>();
  private readonly wallNow: () => number;
  private readonly view: OwnerView;
  private readonly repayHint: RepayHint;

  constructor(private readonly o: JobLedgerOptions) {
    this.wallNow = o.wallNow ?? Date.now;
    this.view = { me: o.owner.id, wallNow: this.wallNow, ...(o.isOwnerAlive ? { isOwnerAlive: o.isOwnerAlive } : {}) };
    this.repayHint = o.repayHint ?? defaultRepayHint;
  }

  get provider(): GenerationProvider {
    return this.o.provider;
  }

  /** Every change of every job, with a sentence when there is one. Returns the unsubscribe. */
  subscribe(listener: (u: LedgerUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The user chose to pay again for the work of this earlier job (unknown, expired or lost). */
  allowRepay(jobId: string): void {
    this.repayAllowed.add(jobId);
  }

  /** What running this work now would do (for cost estimates): reuse, join, fetch, block, or pay. */
  async lookup(cacheKey: string): Promise<WorkStatus> {
    const live = this.liveByKey.get(cacheKey);
    if (live) return { kind: 'in-flight', record: live.writer.current, elsewhere: false };
    const status = workStatus(await this.recordsOf(cacheKey), this.view);
    if (status.kind === 'blocked' && this.repayAllowed.has(status.record.jobId)) return { kind: 'none', previous: status.record };
    return status;
  }

  /** Jobs being followed in this process now. */
  live(): JobRecord[] {
    return [...this.liveByJob.values()].map((l) => l.writer.current);
  }

  get(jobId: string): Promise<JobRecord | undefined> {
    return this.o.store.get(jobId);
  }

  /**
   * The record of a job this ledger follows, or followed lately, as this process last wrote it:
   * for a report of the run that just followed it (a batch row's manifest) without reading the
   * store again. Not a store read: another process's later change is not in it (use `get`).
   */
  recentRecord(jobId: string): JobRecord | undefined {
    return this.liveByJob.get(jobId)?.writer.current ?? this.recent.get(jobId);
  }

  /** Paid generation, the ledger's way (see the class comment). */
  async generate(request: GenerationRequest, options: GenerationCallOptions): Promise<GenerationResult> {
    const { signal, job } = options;
    for (let round = 0; round < 10_000; round++) {
      if (signal.aborted) throw abortReason(signal);
      const step = await this.withKeyLock(job.cacheKey, () => this.decide(request, options));
      if ('live' in step) return this.wait(step.live, options, step.originator);
      if ('result' in step) return step.result;
      await this.watch(step.watch, signal);
    }
    throw new Error(`The ledger could not settle work ${job.cacheKey}.`);
  }

  /** After a restart: orphaned intents become unknown submissions; jobs in flight are followed again. */
  async recover(): Promise<RecoveryReport> {
    const report: RecoveryReport = { reattached: [], orphaned: [], blocked: [], elsewhere: [] };
    for (const r of await this.o.store.unfinished()) {
      if (r.endpoint !== this.o.provider.endpoint || this.liveByJob.has(r.jobId)) continue;
      if (ownedElsewhere(r, this.view)) {
        report.elsewhere.push(r);
        continue;
      }
      if (r.state === 'intent') {
        report.orphaned.push(await this.orphan(r));
        continue;
      }
      // A new process is a new try: files an earlier one was told are gone are asked for once more (free).
      const live = this.startLive(r, true, true, { retryExpired: r.partial });
      live.promise.catch(() => undefined);
      report.reattached.push(r);
    }
    const endpoint = this.o.provider.endpoint;
    report.blocked = this.o.store.blocked
      ? await this.o.store.blocked(endpoint)
      : (await this.o.store.list()).filter((r) => r.endpoint === endpoint && REPAY_STATES.has(r.state) && !r.supersededBy && !r.dismissed);
    return report;
  }

  /** Fetches a finished job's missing images again, for free (nothing is submitted). */
  async fetchMissing(jobId: string, signal?: AbortSignal): Promise<JobRecord> {
    const live = this.liveByJob.get(jobId);
    if (live) {
      await live.promise.catch(() => undefined);
      return live.writer.current;
    }
    const r = await this.o.store.get(jobId);
    if (!r) throw new Error(`No job ${jobId} in the ledger.`);
    if (!['stored', 'completed', 'outputs-expired'].includes(r.state) || r.outputs.every((x) => x.assetId !== undefined)) return r;
    const fetcher = this.startLive(r, true, false, { retryExpired: true });
    const onAbort = () => fetcher.detach.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    await fetcher.promise.catch(() => undefined);
    signal?.removeEventListener('abort', onAbort);
    return fetcher.writer.current;
  }

  /** The user has seen an unknown/lost job: it stays recorded (and still blocks paying again silently). */
  async dismiss(jobId: string): Promise<void> {
    const r = await this.o.store.get(jobId);
    if (!r || r.dismissed) return;
    await this.writerFor(r).apply({ type: 'dismissed' });
  }

  /** Stops one job followed here (as `stopAll` does for every job). Returns whether it was followed here. */
  stop(jobId: string, reason?: unknown): boolean {
    const live = this.liveByJob.get(jobId);
    live?.stop.abort(reason);
    return live !== undefined;
  }

  /** Stops every job followed here: queued ones are cancelled; running ones go on (collect) or are left (detach). */
  stopAll(reason?: unknown): void {
    for (const l of this.liveByJob.values()) l.stop.abort(reason);
  }

  /** Stops following everything at once (no cancel): the process is going away. */
  detachAll(reason?: unknown): void {
    for (const l of this.liveByJob.values()) l.detach.abort(reason);
  }

  /** Waits until every job followed here has settled, at most `timeoutMs` (on the ledger's clock). Resolves whether they did. */
  async settle(timeoutMs: number): Promise<boolean> {
    const all = Promise.allSettled([...this.liveByJob.values()].map((l) => l.promise)).then(() => true);
    const timer = new AbortController();
    const timeout = this.o.clock.sleep(timeoutMs, timer.signal).then(
      () => false,
      () => true,
    );
    const done = await Promise.race([all, timeout]);
    timer.abort();
    return done;
  }

  /** Extends the lease of every job followed here (hosts whose liveness is judged by leases call this periodically). */
  async renewLeases(): Promise<void> {
    await Promise.all([...this.liveByJob.values()].map((l) => l.writer.apply({ type: 'owner', owner: this.ownerNow() }, undefined).catch(() => undefined)));
  }

  /** Renews leases every third of the lease until `signal` aborts. */
  async heartbeat(signal: AbortSignal): Promise<void> {
    const every = (this.o.leaseMs ?? 60_000) / 3;
    while (!signal.aborted) {
      await this.o.clock.sleep(every, signal).catch(() => undefined);
      if (!signal.aborted) await this.renewLeases();
    }
  }

  // ---- internals ----

  private async decide(
    request: GenerationRequest,
    options: GenerationCallOptions,
  ): Promise<{ live: LiveJob; originator: boolean } | { result: GenerationResult } | { watch: JobRecord }> {
    const { job, signal } = options;
    const live = this.liveByKey.get(job.cacheKey);
    if (live) {
      options.onProgress?.({ phase: 'waiting', jobId: live.writer.current.jobId }, say.joining(live.writer.current));
      return { live, originator: false };
    }
    let status = await this.lookup(job.cacheKey);
    if (status.kind === 'in-flight' && !status.elsewhere && status.record.state === 'intent') {
      status = { kind: 'blocked', record: await this.orphan(status.record) };
    }
    switch (status.kind) {
      case 'stored':
        return { result: resultOf(status.record, true) };
      case 'partial':
        // Running the work again is the user asking for its missing images: every one is tried, for free.
        return { live: this.startLive(status.record, true, false, { retryExpired: true }), originator: true };
      case 'in-flight':
        if (status.elsewhere) {
          options.onProgress?.({ phase: 'waiting', jobId: status.record.jobId }, say.watching(status.record));
          return { watch: status.record };
        }
        options.onProgress?.({ phase: 'queued', jobId: status.record.jobId }, say.reattaching(status.record));
        return { live: this.startLive(status.record, true, true), originator: true };
      case 'blocked':
        throw new ApiError('repay-required', say.repayRequired(status.record, this.repayHint), {
          ...(status.record.requestId ? { requestId: status.record.requestId } : {}),
          detail: { jobId: status.record.jobId, state: status.record.state },
        });
      case 'none':
        break;
    }
    const repayOf = status.previous && REPAY_STATES.has(status.previous.state) ? status.previous : undefined;
    options.onProgress?.({ phase: 'validating' }, 'Checking the inputs before paying');
    const prepared = await this.o.provider.prepare(request, signal);
    if (signal.aborted) throw abortReason(signal);
    const record = this.newRecord(request, options, prepared, repayOf?.jobId);
    const writer = new RecordWriter(
      record,
      this.o.store,
      (u) => this.announce(u),
      this.wallNow,
      false,
      (e) => this.writeFailed(e, record),
    );
    const created = this.register(writer);
    created.submitting = true;
    created.promise = this.submitAndFollow(created, prepared, repayOf);
    return { live: created, originator: true };
  }

  private async submitAndFollow(live: LiveJob, prepared: PreparedSubmit, repayOf: JobRecord | undefined): Promise<GenerationResult> {
    const w = live.writer;
    const progress = this.broadcast(live);
    try {
      try {
        await w.persistNow();
      } catch (e) {
        live.submitting = false;
        throw new Error(`Could not record the job before paying for it, so nothing was submitted: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      if (repayOf)
        await this.writerFor(repayOf)
          .apply({ type: 'superseded', by: w.current.jobId })
          .catch(() => undefined);
      progress({ phase: 'submitting', jobId: w.current.jobId }, say.submitting(w.current));
      let requestId: string;
      try {
        ({ requestId } = await this.o.provider.submit(prepared));
      } catch (e) {
        live.submitting = false;
        if (isApiError(e, 'unknown-submission')) {
          await w.apply({ type: 'submit-unknown', message: e.message });
          throw new ApiError('unknown-submission', say.repayRequired(w.current, this.repayHint), { cause: e, detail: { jobId: w.current.jobId } });
        }
        const message = say.refused(e instanceof Error ? e.message : String(e));
        await w.apply({ type: 'submit-refused', code: isApiError(e) ? e.code : 'submit-failed', message });
        throw e;
      }
      live.submitting = false;
      const repliedAt = this.o.clock.now();
      await w.apply({ type: 'submitted', requestId }, say.submitted({ ...w.current, requestId }));
      progress({ phase: 'queued', requestId, jobId: w.current.jobId }, say.submitted(w.current));
      return await this.followAndCollect(live, false, {}, false, repliedAt);
    } finally {
      this.unregister(live);
    }
  }

  private startLive(record: JobRecord, takeOver: boolean, reattached: boolean, collect: { retryExpired?: boolean } = {}): LiveJob {
    const writer = this.writerFor(record);
    const live = this.register(writer);
    live.promise = (async () => {
      try {
        if (takeOver) await writer.apply({ type: 'owner', owner: this.ownerNow() });
        // A note left by the last process ("run again to collect it") is stale once it is collected again.
        if (reattached && writer.current.note !== undefined) await writer.apply({ type: 'note', note: undefined });
        if (reattached)
          this.broadcast(live)({ phase: 'queued', jobId: record.jobId, ...(record.requestId ? { requestId: record.requestId } : {}) }, say.reattaching(record));
        // An earlier job (re-attached, or only fetching its missing images): nothing new is paid.
        return await this.followAndCollect(live, reattached, collect, true);
      } finally {
        this.unregister(live);
      }
    })();
    return live;
  }

  private async followAndCollect(
    live: LiveJob,
    reattached: boolean,
    collect: { retryExpired?: boolean } = {},
    reused = reattached,
    repliedAt?: number,
  ): Promise<GenerationResult> {
    const w = live.writer;
    const progress = this.broadcast(live);
    try {
      if (['submitted', 'queued', 'running'].includes(w.current.state)) {
        await followJob(
          w,
          {
            provider: this.o.provider,
            clock: this.o.clock,
            policy: this.o.policy,
            ...(this.o.learner ? { learner: this.o.learner } : {}),
            deadlineMs: this.o.deadlineMs ?? DEFAULT_DEADLINE_MS,
            random: this.o.random ?? Math.random,
          },
          {
            stop: live.stop.signal,
            detach: live.detach.signal,
            onStop: this.o.onStop ?? 'collect',
            reattached,
            progress,
            ...(repliedAt !== undefined ? { repliedAt } : {}),
          },
        );
      }
      if (w.current.outputs.some((x) => x.assetId === undefined)) {
        await collectOutputs(w, { provider: this.o.provider, assets: this.o.assets, clock: this.o.clock }, live.detach.signal, progress, collect);
      }
    } catch (e) {
      // Still possibly running (stopped, detached, deadline): let another process take it over at once.
      if (['submitted', 'queued', 'running'].includes(w.current.state)) await w.apply({ type: 'owner', owner: undefined }).catch(() => undefined);
      throw e;
    }
    const r = w.current;
    if (r.state === 'outputs-expired') {
      throw new ApiError('repay-required', say.repayRequired(r, this.repayHint), {
        ...(r.requestId ? { requestId: r.requestId } : {}),
        detail: { jobId: r.jobId, state: r.state },
      });
    }
    if (r.state !== 'stored') {
      await w.apply({ type: 'owner', owner: undefined }).catch(() => undefined);
      throw new ApiError('download', say.noneFetched(r), { ...(r.requestId ? { requestId: r.requestId } : {}), detail: { jobId: r.jobId } });
    }
    return resultOf(r, reused);
  }

  /** Waits for a live job. The originator's stop stops the job; anyone else only stops waiting. */
  private wait(live: LiveJob, options: GenerationCallOptions, originator: boolean): Promise<GenerationResult> {
    const { signal, onProgress } = options;
    if (onProgress) live.listeners.add(onProgress);
    const done = () => {
      if (onProgress) live.listeners.delete(onProgress);
    };
    if (originator) {
      const onAbort = () => live.stop.abort(signal.reason);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      return live.promise.finally(() => {
        signal.removeEventListener('abort', onAbort);
        done();
      });
    }
    return new Promise<GenerationResult>((resolve, reject) => {
      const onAbort = () => {
        done();
        reject(abortReason(signal));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      live.promise.then(
        (r) => {
          signal.removeEventListener('abort', onAbort);
          done();
          resolve({ ...r, reused: true });
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          done();
          reject(e);
        },
      );
    });
  }

  /** Waits while another living process follows this work; returns when it settles or its owner dies. */
  private async watch(record: JobRecord, signal: AbortSignal): Promise<void> {
    const until = this.o.clock.now() + (this.o.deadlineMs ?? DEFAULT_DEADLINE_MS);
    while (this.o.clock.now() < until) {
      await this.o.clock.sleep(WATCH_INTERVAL_MS, signal);
      const r = await this.o.store.get(record.jobId);
      if (!r || !ownedElsewhere(r, this.view) || !['intent', 'submitted', 'queued', 'running', 'completed'].includes(r.state)) return;
    }
    throw new ApiError('deadline', say.deadline(record, Math.round((this.o.deadlineMs ?? DEFAULT_DEADLINE_MS) / 60_000)), {
      ...(record.requestId ? { requestId: record.requestId } : {}),
    });
  }

  private async orphan(r: JobRecord): Promise<JobRecord> {
    return this.writerFor(r).apply({ type: 'intent-orphaned', message: say.orphanedIntent(r) }, say.orphanedIntent(r));
  }

  private newRecord(request: GenerationRequest, options: GenerationCallOptions, prepared: PreparedSubmit, repayOf: string | undefined): JobRecord {
    const now = this.wallNow();
    const { job } = options;
    return {
      v: JOB_RECORD_VERSION,
      jobId: (this.o.newJobId ?? randomId)(),
      rev: 0,
      provider: this.o.provider.id,
      endpoint: this.o.provider.endpoint,
      model: request.model,
      nodeId: job.nodeId,
      ...(job.nodeTitle ? { nodeTitle: job.nodeTitle } : {}),
      cacheKey: job.cacheKey,
      ...(job.runId ? { runId: job.runId } : {}),
      ...(job.batch ? { batch: job.batch } : {}),
      sent: prepared.sent,
      referenceHashes: prepared.referenceHashes,
      maxOutputs: request.maxOutputs,
      state: 'intent',
      partial: false,
      createdAt: now,
      updatedAt: now,
      outputs: [],
      owner: this.ownerNow(),
      ...(repayOf ? { repayOf } : {}),
    };
  }

  private ownerNow(): JobOwner {
    const { id, host, pid } = this.o.owner;
    return { id, ...(host ? { host } : {}), ...(pid !== undefined ? { pid } : {}), leaseUntil: this.wallNow() + (this.o.leaseMs ?? 60_000) };
  }

  private writerFor(record: JobRecord): RecordWriter {
    return (
      this.liveByJob.get(record.jobId)?.writer ??
      new RecordWriter(
        record,
        this.o.store,
        (u) => this.announce(u),
        this.wallNow,
        true,
        (e) => this.writeFailed(e, record),
      )
    );
  }

  private register(writer: RecordWriter): LiveJob {
    const live: LiveJob = {
      writer,
      stop: new AbortController(),
      detach: new AbortController(),
      listeners: new Set(),
      promise: Promise.resolve() as unknown as Promise<GenerationResult>,
      submitting: false,
    };
    this.liveByJob.set(writer.current.jobId, live);
    this.liveByKey.set(writer.current.cacheKey, live);
    return live;
  }

  private unregister(live: LiveJob): void {
    const { jobId, cacheKey } = live.writer.current;
    this.recent.delete(jobId);
    this.recent.set(jobId, live.writer.current);
    if (this.recent.size > RECENT_RECORDS) this.recent.delete(this.recent.keys().next().value!);
    if (this.liveByJob.get(jobId) === live) this.liveByJob.delete(jobId);
    if (this.liveByKey.get(cacheKey) === live) this.liveByKey.delete(cacheKey);
  }

  private broadcast(live: LiveJob): (detail: ProgressDetail, message: string) => void {
    return (detail, message) => {
      for (const l of live.listeners) {
        try {
          l(detail, message);
        } catch (e) {
          this.o.log?.('error', `A progress listener failed: ${String(e)}`);
        }
      }
    };
  }

  private announce(u: LedgerUpdate): void {
    for (const l of this.listeners) {
      try {
        l(u);
      } catch (e) {
        this.o.log?.('error', `A ledger listener failed: ${String(e)}`);
      }
    }
  }

  private writeFailed(e: unknown, record: JobRecord): void {
    this.o.log?.(
      'error',
      `Could not write job ${record.jobId}${record.requestId ? ` (request ${record.requestId})` : ''} to the ledger: ${e instanceof Error ? e.message : String(e)}. Still following it.`,
    );
  }

  private async recordsOf(cacheKey: string): Promise<JobRecord[]> {
    return (await this.o.store.byCacheKey(cacheKey)).filter((r) => r.endpoint === this.o.provider.endpoint);
  }

  private async withKeyLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.keyLocks.get(key) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.keyLocks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.keyLocks.get(key) === tail) this.keyLocks.delete(key);
    }
  }
}
