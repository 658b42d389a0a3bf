import { IndexHeap } from '../graph/min-heap';
import type { PaidGeneration } from '../graph/generation';
import type { AssetStore, OutputSink, RunContext } from '../graph/node-definition';
import type { NodeRegistry } from '../graph/registry';
import type { Workflow } from '../graph/workflow-schema';
import { abortReason, type Clock } from '../lib/clock';
import type { CacheStore } from './cache';
import type { NodeErrorInfo, NodeMeta, NodeOutcome, NodeOutputs, RunEvent, RunStatus, RunSummary } from './events';
import { checkOutputs, gatherInputs, toErrorInfo } from './node-io';
import { planRun, type PlannedNode, type RunPlan } from './plan';
import { passedOutputs } from './plan-modes';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** What the host provides; the executor builds each node's RunContext from it. */
export interface RunServices {
  /** Paid generation: the host's job ledger. */
  readonly generation: PaidGeneration;
  readonly assets: AssetStore;
  readonly output: OutputSink;
  readonly clock: Clock;
  /** Where node logs and executor warnings (e.g. a failing cache) go. */
  log?(level: LogLevel, message: string, nodeId?: string): void;
}

export interface RunOptions {
  /** "Run to here": run these nodes and their ancestors instead of every output node. */
  targets?: readonly string[];
  /** Most nodes running at once (default 4). Cache look-ups take a slot too. */
  concurrency?: number;
  cache?: CacheStore;
  /** Stops the run: running nodes are aborted, the rest skipped, and the run resolves at once. */
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  /** Id stamped on every event; a random UUID by default. */
  runId?: string;
  /**
   * A node that finished after the run was stopped (e.g. a billed Seedream job whose images
   * were still collected). Its result is cached either way; this tells the host it exists.
   */
  onLateResult?: (nodeId: string, result: { cacheKey: string; outputs: NodeOutputs; meta: NodeMeta }) => void;
}

/**
 * Plans and runs a workflow: see {@link executePlan}. Never rejects for node failures or
 * invalid graphs (those are events and the summary's status); rejects only when `onEvent` throws.
 */
export function runGraph(workflow: Workflow, registry: NodeRegistry, services: RunServices, options: RunOptions = {}): Promise<RunSummary> {
  return executePlan(planRun(workflow, registry, { targets: options.targets }), services, options);
}

type Slot = { controller: AbortController; startedAt?: number };
type Finish = { ok: true; outputs: NodeOutputs } | { ok: false } | { late: true };

/**
 * Runs a plan. An invalid plan runs nothing (every node skipped as `invalid`, run-done carries
 * the issues). Otherwise each node starts as soon as all its inputs are ready, up to
 * `concurrency` at once, ties going to the earlier node in run order; a cached result is used
 * instead of running (except for `alwaysRun` nodes); a failure skips only its dependants.
 */
export function executePlan(plan: RunPlan, services: RunServices, options: RunOptions = {}): Promise<RunSummary> {
  const { clock } = services;
  const { cache } = options;
  const runId = options.runId ?? newRunId();
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const runStart = clock.now();
  const order = plan.order;
  const outcomes = new Map<string, NodeOutcome>();
  const outputs = new Map<string, NodeOutputs>();
  const active = new Map<string, Slot>();
  // Our own controller: the caller's signal or a throwing listener both stop the run.
  const stopper = new AbortController();
  const forwardAbort = () => stopper.abort(options.signal?.reason);
  // A throwing listener (or an executor bug) stops the run and rejects runGraph with the error.
  let fatal: { error: unknown } | undefined;
  const die = (error: unknown) => {
    fatal ??= { error };
    stopper.abort(error);
  };
  let stopped = false;
  /** Results being written to the cache: the node is done (its dependants go on), the run waits for them. */
  const cacheWrites = new Set<Promise<void>>();

  const emit = (event: RunEvent) => {
    try {
      options.onEvent?.(event);
    } catch (error) {
      die(error);
    }
  };
  const log = (level: LogLevel, message: string, nodeId?: string) => services.log?.(level, message, nodeId);

  return new Promise<RunSummary>((resolve, reject) => {
    const finishRun = (status: RunStatus) => {
      stopped = true;
      options.signal?.removeEventListener('abort', forwardAbort);
      const counts = { planned: order.length, done: 0, cached: 0, failed: 0, skipped: 0 };
      for (const o of outcomes.values()) counts[o.status]++;
      const durationMs = clock.now() - runStart;
      const nodes = new Map(order.flatMap((id) => (outcomes.has(id) ? [[id, outcomes.get(id)!] as const] : [])));
      const done = () => {
        emit({ type: 'run-done', runId, at: clock.now(), durationMs, status, counts, issues: plan.issues });
        if (fatal) reject(fatal.error);
        else resolve({ runId, status, durationMs, counts, issues: plan.issues, nodes });
      };
      // A finished run is done once its results are cached (each write reports its own failure);
      // a stopped or failed one says so at once, its writes finishing on their own.
      if (cacheWrites.size && status !== 'aborted' && !fatal) {
        // A stop while waiting (a stuck disk) ends the wait, not the writes.
        let ended = false;
        const end = () => {
          if (ended) return;
          ended = true;
          options.signal?.removeEventListener('abort', end);
          done();
        };
        options.signal?.addEventListener('abort', end, { once: true });
        void Promise.allSettled(cacheWrites).then(end);
      } else done();
    };

    emit({ type: 'run-start', runId, at: runStart, nodeIds: [...order] });
    // Muted nodes (and what needs them) never run, whatever else happens in the run.
    for (const nodeId of order) {
      const muted = plan.skipped.get(nodeId);
      if (!muted) continue;
      const because = muted.because !== undefined ? { because: muted.because } : {};
      outcomes.set(nodeId, { status: 'skipped', reason: 'muted', ...because });
      emit({ type: 'node-skipped', runId, at: clock.now(), nodeId, reason: 'muted', ...because });
    }
    if (!plan.ok) {
      for (const nodeId of order) {
        if (outcomes.has(nodeId)) continue;
        outcomes.set(nodeId, { status: 'skipped', reason: 'invalid' });
        emit({ type: 'node-skipped', runId, at: clock.now(), nodeId, reason: 'invalid' });
      }
      return finishRun('invalid');
    }

    const runnable = order.filter((id) => !plan.skipped.has(id));
    const position = new Map(order.map((id, i) => [id, i] as const));
    const waitingOn = new Map<string, number>();
    const dependants = new Map<string, string[]>(runnable.map((id) => [id, []]));
    for (const id of runnable) {
      const upstream = plan.nodes.get(id)!.upstream;
      waitingOn.set(id, upstream.length);
      for (const u of upstream) dependants.get(u)!.push(id);
    }
    const ready = new IndexHeap();
    for (const [id, n] of waitingOn) if (n === 0) ready.push(position.get(id)!);

    const onAbort = () => {
      if (stopped) return;
      stopped = true;
      const reason = abortReason(stopper.signal);
      for (const slot of active.values()) slot.controller.abort(reason);
      const at = clock.now();
      for (const nodeId of order) {
        if (outcomes.has(nodeId)) continue;
        const startedAt = active.get(nodeId)?.startedAt;
        if (startedAt !== undefined) {
          const error: NodeErrorInfo = { code: 'aborted', message: 'The run was stopped before this node finished.' };
          outcomes.set(nodeId, { status: 'failed', error });
          emit({ type: 'node-error', runId, at, nodeId, durationMs: at - startedAt, error });
        } else {
          outcomes.set(nodeId, { status: 'skipped', reason: 'aborted' });
          emit({ type: 'node-skipped', runId, at, nodeId, reason: 'aborted' });
        }
      }
      finishRun('aborted');
    };

    const skipDependants = (failed: string) => {
      const found = new Set<string>();
      const stack = [...(dependants.get(failed) ?? [])];
      for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
        if (found.has(id) || outcomes.has(id)) continue;
        found.add(id);
        stack.push(...(dependants.get(id) ?? []));
      }
      for (const nodeId of [...found].sort((a, b) => position.get(a)! - position.get(b)!)) {
        outcomes.set(nodeId, { status: 'skipped', reason: 'upstream-failed', because: failed });
        emit({ type: 'node-skipped', runId, at: clock.now(), nodeId, reason: 'upstream-failed', because: failed });
      }
    };

    const pump = () => {
      while (!stopped && active.size < concurrency) {
        const i = ready.pop();
        if (i === undefined) break;
        launch(plan.nodes.get(order[i]!)!);
      }
      if (!stopped && outcomes.size === order.length) finishRun(hasFailure() ? 'failed' : 'succeeded');
    };
    const hasFailure = () => [...outcomes.values()].some((o) => o.status === 'failed');

    const launch = (planned: PlannedNode) => {
      const slot: Slot = { controller: new AbortController() };
      active.set(planned.id, slot);
      void runNode(planned, slot).then((result) => {
        if (stopped || 'late' in result) return;
        active.delete(planned.id);
        if (result.ok) {
          outputs.set(planned.id, result.outputs);
          for (const d of dependants.get(planned.id) ?? []) {
            if (outcomes.has(d)) continue;
            const left = waitingOn.get(d)! - 1;
            waitingOn.set(d, left);
            if (left === 0) ready.push(position.get(d)!);
          }
        } else {
          skipDependants(planned.id);
        }
        pump();
      }, die);
    };

    /** Looks up the cache, then runs the node; settles its outcome and never rejects. */
    const runNode = async (planned: PlannedNode, slot: Slot): Promise<Finish> => {
      const { id: nodeId, def, cacheKey } = planned;
      if (planned.bypass) return passThrough(planned);
      // alwaysRun nodes exist for their effect (saving files): never skip them, never store them.
      const store = def.alwaysRun ? undefined : cache;
      if (store) {
        const hit = await Promise.resolve()
          .then(() => store.get(cacheKey))
          .catch((err: unknown) => {
            log('warn', `Cache lookup failed, running instead: ${String(err)}`, nodeId);
            return undefined;
          });
        if (stopped) return { late: true };
        const checked = hit && checkOutputs(def, hit.outputs);
        if (hit && checked?.ok) {
          const meta: NodeMeta = hit.meta ?? {};
          outcomes.set(nodeId, { status: 'cached', cacheKey, outputs: checked.outputs, meta });
          emit({ type: 'node-cached', runId, at: clock.now(), nodeId, cacheKey, outputs: checked.outputs, meta });
          return { ok: true, outputs: checked.outputs };
        }
        if (checked && !checked.ok) log('warn', `Ignoring a cached result that no longer fits: ${checked.message}`, nodeId);
      }
      const startedAt = clock.now();
      slot.startedAt = startedAt;
      emit({ type: 'node-start', runId, at: startedAt, nodeId, cacheKey });
      if (stopped) return { late: true };
      const meta: NodeMeta = {};
      const uncacheable = { reason: undefined as string | undefined };
      const fail = (error: NodeErrorInfo): Finish => {
        const at = clock.now();
        outcomes.set(nodeId, { status: 'failed', error });
        emit({ type: 'node-error', runId, at, nodeId, durationMs: at - startedAt, error });
        return { ok: false };
      };
      try {
        const raw = await def.run({
          nodeId,
          params: planned.params,
          inputs: gatherInputs(planned, outputs),
          ctx: nodeContext(nodeId, cacheKey, slot.controller.signal, meta, uncacheable),
        });
        const checked = checkOutputs(def, raw);
        if (stopped) {
          // Paid work that finished after a stop is never thrown away: keep it for the next run.
          if (checked.ok) await keepLateResult(nodeId, def.alwaysRun || uncacheable.reason ? undefined : cache, cacheKey, { outputs: checked.outputs, meta });
          return { late: true };
        }
        if (!checked.ok) return fail({ code: 'invalid-output', message: checked.message, field: checked.field });
        if (store && !uncacheable.reason) {
          const write = Promise.resolve()
            .then(() => store.set(cacheKey, { outputs: checked.outputs, meta }))
            .catch((err: unknown) => log('warn', `Could not cache this result: ${String(err)}`, nodeId))
            .catch(() => undefined)
            .finally(() => cacheWrites.delete(write));
          cacheWrites.add(write);
        }
        const at = clock.now();
        outcomes.set(nodeId, { status: 'done', cacheKey, outputs: checked.outputs, meta });
        emit({ type: 'node-done', runId, at, nodeId, durationMs: at - startedAt, cacheKey, outputs: checked.outputs, meta });
        return { ok: true, outputs: checked.outputs };
      } catch (err) {
        if (stopped) {
          // The run already reported this node as aborted; keep the late error visible in logs.
          log('debug', `Finished after the run stopped: ${toErrorInfo(err).message}`, nodeId);
          return { late: true };
        }
        return fail(toErrorInfo(err));
      }
    };

    /** A bypassed node: its outputs are the values of the inputs it passes on; it never runs, so it costs nothing. */
    const passThrough = async (planned: PlannedNode): Promise<Finish> => {
      await Promise.resolve();
      if (stopped) return { late: true };
      const passed = passedOutputs(planned.def, planned.bypass!, gatherInputs(planned, outputs));
      outcomes.set(planned.id, { status: 'skipped', reason: 'bypassed' });
      emit({ type: 'node-skipped', runId, at: clock.now(), nodeId: planned.id, reason: 'bypassed' });
      return { ok: true, outputs: passed };
    };

    const keepLateResult = async (nodeId: string, store: CacheStore | undefined, cacheKey: string, result: { outputs: NodeOutputs; meta: NodeMeta }) => {
      if (store) {
        await Promise.resolve()
          .then(() => store.set(cacheKey, result))
          .catch((err: unknown) => log('warn', `Could not cache a result that arrived after the stop: ${String(err)}`, nodeId));
      }
      log('info', 'Finished after the run was stopped; its result is kept for the next run.', nodeId);
      try {
        options.onLateResult?.(nodeId, { cacheKey, ...result });
      } catch (err) {
        log('error', `onLateResult failed: ${String(err)}`, nodeId);
      }
    };

    const nodeContext = (nodeId: string, cacheKey: string, signal: AbortSignal, meta: NodeMeta, uncacheable: { reason: string | undefined }): RunContext => ({
      generation: services.generation,
      cacheKey,
      runId,
      assets: services.assets,
      output: services.output,
      clock,
      signal,
      progress(fraction, message, detail) {
        if (stopped || outcomes.has(nodeId)) return;
        const f = fraction !== undefined && Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : undefined;
        emit({
          type: 'node-progress',
          runId,
          at: clock.now(),
          nodeId,
          ...(f !== undefined ? { fraction: f } : {}),
          ...(message !== undefined ? { message } : {}),
          ...(detail !== undefined ? { detail } : {}),
        });
      },
      annotate(extra) {
        Object.assign(meta, extra);
      },
      doNotCache(reason) {
        uncacheable.reason = reason;
        log('info', `Not cached: ${reason}`, nodeId);
      },
      log: (level, message) => log(level, message, nodeId),
    });

    stopper.signal.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) forwardAbort();
    else options.signal?.addEventListener('abort', forwardAbort, { once: true });
    // The listener may already have thrown on run-start, before onAbort was listening.
    if (stopper.signal.aborted) onAbort();
    else pump();
  });
}

function newRunId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return c?.randomUUID?.() ?? `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
