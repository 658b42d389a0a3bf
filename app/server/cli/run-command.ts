import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { estimateCost } from '../../engine/estimate-cost';
import { executePlan, planRun, type RunEvent, type RunPlan, type RunSummary } from '../../engine';
import type { Workflow } from '../../graph/workflow-schema';
import { REPAY_STATES, type JobRecord } from '../../ledger';
import { realClock } from '../../lib/clock';
import { registry } from '../../../nodes';
import { FileOutputSink } from '../file-output-sink';
import type { CliCommand } from './args';
import { commandWorkflow } from './check-command';
import { cliIssues, type CliIssues } from './cli-issues';
import type { CliServices } from './cli-services';
import { buildManifest } from './manifest';
import { ProgressReporter } from './progress';
import { costLine, describeBlocked, reportRecovery, reportRun, requestsOf, type ReportIo } from './run-report';

export interface CommandIo {
  cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Aborts on Ctrl-C / SIGTERM / SIGHUP; the reason says which (see interruptExitCode). */
  signal?: AbortSignal;
  /** How long a stop waits for submits in flight and cancels to be answered (default 30 s). */
  settleMs?: number;
}

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** A stop asked for by a signal; its exit code is 128 + the signal number. */
export class InterruptError extends Error {
  readonly code = 'aborted';
  constructor(readonly signalName: 'SIGINT' | 'SIGTERM' | 'SIGHUP') {
    super(`Interrupted (${signalName})`);
    this.name = 'InterruptError';
  }
}
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
export const interruptExitCode = (reason: unknown): number => (reason instanceof InterruptError ? SIGNAL_EXIT[reason.signalName] : EXIT.interrupted);

type RunLike = Extract<CliCommand, { command: 'edit' | 'run' }>;
const DEFAULT_SETTLE_MS = 30_000;
/** How long a blocked run waits for earlier jobs it collects (each follow has its own, shorter, deadline). */
const COLLECT_MS = 60 * 60_000;

/** `edit` and `run`: one workflow through the executor and the ledger, images and manifest.json into --out. */
export async function runWorkflowCommand(cmd: RunLike, io: CommandIo, s: CliServices): Promise<number> {
  const startedAt = new Date();
  const t0 = realClock.now();
  const outDir = resolve(io.cwd, cmd.out);
  await mkdir(outDir, { recursive: true });
  const { workflow, origin, warnings } = await commandWorkflow(cmd, s.assets, io.cwd);
  for (const w of warnings) io.stderr(`warning: ${w}`);

  const stop = new AbortController();
  const settleMs = io.settleMs ?? DEFAULT_SETTLE_MS;
  // Said the moment the signal comes (the run's own lines follow): what a stop does, and how to leave at once.
  const onAbort = () => {
    const reason: unknown = io.signal?.reason;
    const name = reason instanceof InterruptError ? ` (${reason.signalName})` : '';
    io.stderr(
      `Stopping${name}: cancelling queued requests; running ones cannot be cancelled and will be billed. Waiting up to ${Math.round(settleMs / 1000)} s for answers — ` +
        'press Ctrl-C again to quit at once (every submit is recorded; the next run with the same --cache-dir reports or collects it).',
    );
    stop.abort(reason);
  };
  if (io.signal?.aborted) onAbort();
  else io.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await execute(cmd, { ...io, settleMs }, s, { workflow, origin, outDir, signal: stop.signal, startedAt, t0 });
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
  }
}

interface RunContext {
  workflow: Workflow;
  origin: string;
  outDir: string;
  signal: AbortSignal;
  startedAt: Date;
  t0: number;
}

async function execute(cmd: RunLike, io: CommandIo & { settleMs: number }, s: CliServices, c: RunContext): Promise<number> {
  const { ledger } = s;
  const { workflow, signal } = c;
  const rio: ReportIo = { stdout: io.stdout, stderr: io.stderr, persistent: s.persistent, host: s.mode === 'simulator' ? 'the simulator' : 'RunComfy' };
  const seen = new Map<string, JobRecord>();
  const unsubscribe = ledger.subscribe((u) => seen.set(u.record.jobId, u.record));
  try {
    const plan = planRun(workflow, registry);
    reportRecovery(await ledger.recover(), new Set([...plan.nodes.values()].map((n) => n.cacheKey)), rio);
    for (const id of cmd.repay) ledger.allowRepay(id);
    const blocked = plan.ok ? await blockedByEarlierAttempts(plan, cmd, io, s, signal) : [];

    const runId = `cli-${Date.now().toString(36)}`;
    // Every PNG written carries the workflow that made it (JPEG/WebP get a sidecar .json).
    const output = new FileOutputSink(c.outDir, s.assets, { workflow });
    let summary: RunSummary | undefined;
    if (blocked.length) await collectEarlierJobs(ledger, signal, io);
    else summary = await runPlan(plan, cmd, io, s, { output, signal, runId, issues: cliIssues(workflow, registry) });

    const interrupted = signal.aborted;
    if (interrupted) {
      ledger.stopAll(signal.reason);
      if (!(await ledger.settle(io.settleMs))) io.stderr(`Some answers did not come within ${Math.round(io.settleMs / 1000)} s; what is known is below.`);
    }
    // Jobs still followed (re-attached earlier work this workflow did not need, or not settled): the next run collects them.
    ledger.detachAll();
    if (summary?.status === 'succeeded' && !workflow.nodes.some((n) => registry.get(n.kind)?.traits?.sink === 'save')) {
      await writePreviews(summary, workflow, output, signal);
    }

    const requests = await requestsOf(summary, seen, ledger, runId, blocked);
    const manifest = buildManifest({
      summary,
      workflow,
      origin: c.origin,
      mode: s.mode,
      startedAt: c.startedAt,
      durationMs: realClock.now() - c.t0,
      requests,
      registry,
      files: output.saved,
      ...(interrupted ? { statusOverride: 'aborted' as const } : blocked.length ? { statusOverride: 'blocked' as const } : {}),
    });
    await writeFile(join(c.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    reportRun(manifest, c.outDir, cmd.json, rio, new Set(blocked.map((r) => r.jobId)));
    if (interrupted) return interruptExitCode(signal.reason);
    // A graph that does not pass its checks was refused before anything was paid, as bad arguments are.
    if (blocked.length || manifest.status === 'invalid') return EXIT.usage;
    return manifest.status === 'succeeded' ? EXIT.ok : EXIT.failed;
  } finally {
    unsubscribe();
  }
}

/** Runs the plan through the executor, with progress on stderr. */
async function runPlan(
  plan: RunPlan,
  cmd: RunLike,
  io: CommandIo,
  s: CliServices,
  o: { output: FileOutputSink; signal: AbortSignal; runId: string; issues: CliIssues },
): Promise<RunSummary> {
  const reporter = new ProgressReporter(
    (line) => io.stderr(line),
    () => realClock.now(),
  );
  const onEvent = (e: RunEvent) => {
    if (e.type === 'run-done') {
      for (const i of e.issues.filter((x) => !o.issues.alreadySaid(x)).map(o.issues.reword))
        io.stderr(`${i.severity}: ${i.nodeId ? `[${i.nodeId}] ` : ''}${i.message}`);
    }
    reporter.onEvent(e);
  };
  const services = {
    generation: s.ledger,
    assets: s.assets,
    output: o.output,
    clock: realClock,
    log: (level: string, message: string, nodeId?: string) => {
      if (level === 'warn' || level === 'error') io.stderr(`${level}: ${nodeId ? `[${nodeId}] ` : ''}${message}`);
    },
  };
  const summary = await executePlan(plan, services, { concurrency: cmd.concurrency, cache: s.cache, signal: o.signal, onEvent, runId: o.runId });
  // The manifest says what the terminal said.
  return { ...summary, issues: summary.issues.map(o.issues.reword) };
}

/**
 * A blocked run submits nothing, but jobs an earlier run already submitted (re-attached at the
 * start) are still collected before it exits: their output URLs expire, and nobody may run
 * this again soon. Returns when they settle or a stop is asked for.
 */
async function collectEarlierJobs(ledger: CliServices['ledger'], signal: AbortSignal, io: CommandIo): Promise<void> {
  const live = ledger.live();
  if (!live.length || signal.aborted) return;
  io.stderr(`Collecting ${live.length} job(s) an earlier run submitted before stopping (nothing new is paid)…`);
  const stopped = new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
  await Promise.race([ledger.settle(COLLECT_MS), stopped]);
  for (const { jobId } of live) {
    const r = await ledger.get(jobId);
    if (r?.state === 'stored' && !r.partial) {
      io.stderr(`[${r.nodeId}] earlier request ${r.requestId} collected: ${r.outputs.length} image(s) kept in the cache dir; the next run uses them at $0.`);
    }
  }
}

/**
 * The cost line, then the money rule for earlier attempts: work whose earlier submit may have
 * been billed (unknown, expired, lost) is not paid again unless named with --repay. Returns
 * those earlier attempts: when there are any, the run stops here (exit 2, nothing submitted).
 */
async function blockedByEarlierAttempts(plan: RunPlan, cmd: RunLike, io: CommandIo, s: CliServices, signal: AbortSignal): Promise<JobRecord[]> {
  const { ledger } = s;
  // The ledger refuses blocked work on its own too; the estimate only says so before anything starts.
  const estimate = await estimateCost(plan, { cache: s.cache, ledger, priceUsd: (m) => s.provider.priceUsd(m) }, signal).catch(() => undefined);
  if (!estimate) return [];
  const all = cmd.repay.includes('all');
  const keys = new Set([...plan.nodes.values()].map((n) => n.cacheKey));
  let repaying = 0;
  for (const id of cmd.repay.filter((x) => x !== 'all')) {
    const r = await ledger.get(id);
    if (r && keys.has(r.cacheKey) && REPAY_STATES.has(r.state)) repaying++;
    else
      io.stderr(
        `warning: --repay ${id}: ${r ? `job ${id} is ${r.state}${keys.has(r.cacheKey) ? '' : ' and belongs to other work'}, so there is nothing to pay again for` : `no job ${id} in the ledger of ${s.cacheDir}`}.`,
      );
  }
  if (all) {
    for (const b of estimate.blocked) if (b.job) ledger.allowRepay(b.job.jobId);
    repaying += estimate.blocked.length;
  }
  io.stderr(costLine(all ? { ...estimate, blocked: [] } : estimate, repaying));
  const blocked = all ? [] : estimate.blocked.filter((b) => b.job);
  const records: JobRecord[] = [];
  for (const b of blocked) {
    const r = await ledger.get(b.job!.jobId);
    if (r) records.push(r);
    io.stderr(`[${b.nodeId}] ${describeBlocked(r)}`);
  }
  if (blocked.length) {
    io.stderr(`Nothing was submitted. To pay again, name the earlier job(s): ${blocked.map((b) => `--repay ${b.job!.jobId}`).join(' ')} (or --repay all)`);
  }
  return records;
}

async function writePreviews(summary: RunSummary, workflow: Workflow, output: FileOutputSink, signal: AbortSignal) {
  for (const node of workflow.nodes) {
    const o = summary.nodes.get(node.id);
    if (registry.get(node.kind)?.traits?.sink !== 'preview' || !o || (o.status !== 'done' && o.status !== 'cached')) continue;
    const images = o.outputs.images;
    if (Array.isArray(images)) await output.save(images, { nodeId: node.id, prefix: node.id, signal });
  }
}
