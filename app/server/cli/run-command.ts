import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { estimateCost, formatUsd, type CostEstimate } from '../../engine/estimate-cost';
import { executePlan, planRun, type RunEvent, type RunSummary } from '../../engine';
import { readJobMeta } from '../../graph/generation';
import type { Workflow } from '../../graph/workflow-schema';
import { billingOf, ledgerMessages, type JobRecord } from '../../ledger';
import { realClock } from '../../lib/clock';
import { registry } from '../../../nodes';
import { FileOutputSink } from '../file-output-sink';
import type { CliCommand } from './args';
import { commandWorkflow } from './check-command';
import { cliRepayHint, type CliServices } from './cli-services';
import { buildManifest, type Manifest, type RequestRecord } from './manifest';
import { ProgressReporter } from './progress';

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

/** `edit` and `run`: one workflow through the executor and the ledger, images and manifest.json into --out. */
export async function runWorkflowCommand(cmd: RunLike, io: CommandIo, s: CliServices): Promise<number> {
  const startedAt = new Date();
  const t0 = realClock.now();
  const outDir = resolve(io.cwd, cmd.out);
  await mkdir(outDir, { recursive: true });

  const { workflow, origin, warnings } = await commandWorkflow(cmd, s.assets, io.cwd);
  for (const w of warnings) io.stderr(`warning: ${w}`);

  const stop = new AbortController();
  const onAbort = () => stop.abort(io.signal?.reason);
  if (io.signal?.aborted) onAbort();
  io.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await execute(cmd, io, s, workflow, origin, outDir, stop.signal, { startedAt, t0 });
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
  }
}

async function execute(
  cmd: RunLike,
  io: CommandIo,
  s: CliServices,
  workflow: Workflow,
  origin: string,
  outDir: string,
  signal: AbortSignal,
  t: { startedAt: Date; t0: number },
): Promise<number> {
  const { ledger } = s;
  const seen = new Map<string, JobRecord>();
  const unsubscribe = ledger.subscribe((u) => seen.set(u.record.jobId, u.record));
  try {
    await reportRecovery(s, io);
    for (const id of cmd.repay) ledger.allowRepay(id);

    const plan = planRun(workflow, registry);
    if (plan.ok) {
      const estimate = await estimateCost(plan, { cache: s.cache, ledger, priceUsd: (m) => s.provider.priceUsd(m) }, signal).catch(() => undefined);
      if (estimate) {
        if (cmd.repay.includes('all')) for (const b of estimate.blocked) if (b.job) ledger.allowRepay(b.job.jobId);
        io.stderr(costLine(estimate));
        const blocked = estimate.blocked.filter((b) => b.job && !cmd.repay.includes(b.job.jobId) && !cmd.repay.includes('all'));
        if (blocked.length) {
          for (const b of blocked) {
            const record = b.job ? await ledger.get(b.job.jobId) : undefined;
            io.stderr(`[${b.nodeId}] ${describeBlocked(record)}`);
          }
          io.stderr(`Nothing was submitted. To pay again, name the earlier job(s): ${blocked.map((b) => `--repay ${b.job!.jobId}`).join(' ')}`);
          return EXIT.usage;
        }
      }
    }

    const runId = `cli-${Date.now().toString(36)}`;
    // Every PNG written carries the workflow that made it (JPEG/WebP get a sidecar .json).
    const output = new FileOutputSink(outDir, s.assets, { workflow });
    const reporter = new ProgressReporter(
      (line) => io.stderr(line),
      () => realClock.now(),
    );
    const onEvent = (e: RunEvent) => {
      if (e.type === 'run-done') for (const i of e.issues) io.stderr(`${i.severity}: ${i.nodeId ? `[${i.nodeId}] ` : ''}${i.message}`);
      reporter.onEvent(e);
    };
    const services = {
      generation: ledger,
      assets: s.assets,
      output,
      clock: realClock,
      log: (level: string, message: string, nodeId?: string) => {
        if (level === 'warn' || level === 'error') io.stderr(`${level}: ${nodeId ? `[${nodeId}] ` : ''}${message}`);
      },
    };
    const summary: RunSummary = await executePlan(plan, services, { concurrency: cmd.concurrency, cache: s.cache, signal, onEvent, runId });

    const interrupted = signal.aborted;
    if (interrupted) {
      io.stderr(
        `Stopping: cancelling queued requests and waiting up to ${Math.round((io.settleMs ?? 30_000) / 1000)} s for answers (press Ctrl-C again to quit at once)…`,
      );
      ledger.stopAll(signal.reason);
      if (!(await ledger.settle(io.settleMs ?? 30_000))) io.stderr('Some answers did not come in time; what is known is below.');
    }
    // Jobs of earlier runs re-attached at start but not needed by this workflow: the next run collects them.
    for (const r of ledger.live()) io.stderr(`[${r.nodeId}] ${describeLeft(r)}`);
    ledger.detachAll();
    if (summary.status === 'succeeded' && !workflow.nodes.some((n) => registry.get(n.kind)?.traits?.sink === 'save')) {
      await writePreviews(summary, workflow, output, signal);
    }

    const requests = await requestsOf(summary, seen, ledger, runId);
    const manifest = buildManifest({
      summary,
      workflow,
      origin,
      mode: s.mode,
      startedAt: t.startedAt,
      durationMs: realClock.now() - t.t0,
      requests,
      files: output.saved,
      ...(interrupted ? { statusOverride: 'aborted' as const } : {}),
    });
    await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    report(manifest, outDir, cmd, io, s);
    if (interrupted) return interruptExitCode(signal.reason);
    return manifest.status === 'succeeded' ? EXIT.ok : EXIT.failed;
  } finally {
    unsubscribe();
  }
}

/** What the last process left: unknown submissions are reported; jobs in flight are collected (polling only). */
async function reportRecovery(s: CliServices, io: CommandIo): Promise<void> {
  const report = await s.ledger.recover();
  for (const r of report.orphaned) io.stderr(`[${r.nodeId}] ${r.error?.message ?? 'unknown submission'} To pay again for it: --repay ${r.jobId}`);
  for (const r of report.reattached)
    io.stderr(`[${r.nodeId}] collecting earlier ${r.requestId ? `request ${r.requestId}` : `job ${r.jobId}`} (${r.state}); nothing is submitted again.`);
  for (const r of report.elsewhere) io.stderr(`[${r.nodeId}] job ${r.jobId} is followed by another process (${r.owner?.id ?? '?'}).`);
}

function costLine(e: CostEstimate): string {
  const reused = e.items.filter((i) => i.status !== 'pay' && i.status !== 'blocked').length;
  const price = e.totalUsd !== undefined ? `up to ${formatUsd(e.totalUsd)}` : `price unknown${e.priceError ? ` (${e.priceError})` : ''}`;
  return `Cost: ${price} for ${e.paidJobs} paid job(s)${reused ? `; ${reused} reused at $0` : ''}${e.blocked.length ? `; ${e.blocked.length} need --repay` : ''}.`;
}

function describeBlocked(r: JobRecord | undefined): string {
  return r ? ledgerMessages.repayRequired(r, cliRepayHint) : 'An earlier attempt of this work may have been billed.';
}

function describeLeft(r: JobRecord): string {
  if (r.state === 'intent') {
    return `job ${r.jobId}: its submit got no reply yet — it may be created and billed. It is recorded; the next run with the same --cache-dir reports it and never resubmits it.`;
  }
  return `request ${r.requestId ?? r.jobId} is still ${r.state} at RunComfy — it will be billed if it runs. Run again with the same --cache-dir to collect its images without paying twice.`;
}

/** One manifest entry per job this run touched: made, joined, re-attached, or reused from the cache. */
async function requestsOf(summary: RunSummary, seen: Map<string, JobRecord>, ledger: CliServices['ledger'], runId: string): Promise<RequestRecord[]> {
  const byJob = new Map<string, { record: JobRecord; nodeId: string; reused: boolean }>();
  for (const r of seen.values()) byJob.set(r.jobId, { record: r, nodeId: r.nodeId, reused: r.runId !== runId });
  for (const [nodeId, o] of summary.nodes) {
    if (o.status !== 'done' && o.status !== 'cached') continue;
    const job = readJobMeta(o.meta);
    if (!job) continue;
    const record = byJob.get(job.jobId)?.record ?? (await ledger.get(job.jobId));
    if (record) byJob.set(job.jobId, { record, nodeId, reused: o.status === 'cached' || job.reused || record.runId !== runId });
  }
  return [...byJob.values()].map(({ record: r, nodeId, reused }) => {
    const missing = r.outputs.filter((x) => x.assetId === undefined).map((x) => ({ index: x.index, url: x.url, reason: x.error ?? 'not fetched' }));
    return {
      nodeId,
      jobId: r.jobId,
      ...(r.requestId ? { requestId: r.requestId } : {}),
      state: r.state === 'stored' && r.partial ? 'partial' : r.state,
      billing: billingOf(r),
      ...(r.partial ? { partial: true } : {}),
      ...(r.costUsd !== undefined ? { costUsd: r.costUsd } : {}),
      outputUrls: r.outputs.map((x) => x.url),
      ...(missing.length && r.outputs.length ? { missing } : {}),
      inputs: { prompt: r.sent.prompt, references: r.referenceHashes.length, ...r.sent.params },
      ...(r.error?.message || r.note ? { message: r.error?.message ?? r.note } : {}),
      ...(reused ? { reused: true } : {}),
    };
  });
}

async function writePreviews(summary: RunSummary, workflow: Workflow, output: FileOutputSink, signal: AbortSignal) {
  for (const node of workflow.nodes) {
    const o = summary.nodes.get(node.id);
    if (registry.get(node.kind)?.traits?.sink !== 'preview' || !o || (o.status !== 'done' && o.status !== 'cached')) continue;
    const images = o.outputs.images;
    if (Array.isArray(images)) await output.save(images, { nodeId: node.id, prefix: node.id, signal });
  }
}

function report(m: Manifest, outDir: string, cmd: { json: boolean }, io: CommandIo, s: CliServices): void {
  if (cmd.json) io.stdout(JSON.stringify(m, null, 2));
  else for (const f of m.files) io.stdout(join(outDir, f.file));
  const again = s.persistent ? ' Run again with the same --cache-dir to collect it without paying twice.' : '';
  for (const r of m.requests) {
    if (r.reused) continue;
    if (['submitted', 'queued', 'running'].includes(r.state))
      io.stderr(`[${r.nodeId}] request ${r.requestId} is still running at RunComfy — it will be billed.${again}`);
    else if (r.state === 'cancelled') io.stderr(`[${r.nodeId}] request ${r.requestId ?? r.jobId}: cancelled at RunComfy before it started — not billed.`);
    else if (r.state === 'unknown-submission' || r.state === 'intent')
      io.stderr(`[${r.nodeId}] ${r.message ?? 'unknown submission — it may have been created'}`);
    else if (r.state === 'partial')
      io.stderr(
        `[${r.nodeId}] request ${r.requestId}: ${r.missing?.length ?? 0} image(s) could not be fetched (${(r.missing ?? []).map((x) => x.url).join(', ')}).${s.persistent ? ' Run again with the same --cache-dir to fetch them for free.' : ''}`,
      );
  }
  const cost = m.totalCostUsd !== undefined ? `, cost $${m.totalCostUsd.toFixed(2)}` : '';
  io.stderr(`${m.status}: ${m.files.length} file(s) in ${outDir}${cost} (manifest.json)`);
}
