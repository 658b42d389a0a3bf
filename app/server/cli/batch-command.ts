import { mkdir, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { reduceBatch, withTotals, type BatchEvent, type BatchSummary } from '../../batch';
import { formatUsd } from '../../engine/estimate-cost';
import { ACTIVE_STATES, ledgerMessages, type JobRecord } from '../../ledger';
import { realClock } from '../../lib/clock';
import { registry } from '../../../nodes';
import { InProcessBackend, type BatchBackend } from '../batch/batch-backend';
import { BATCH_FILE, BatchFileWriter, readBatchFile } from '../batch/batch-file';
import { BatchProgress, type LiveTerminal } from '../batch/batch-progress';
import { prepareBatch } from '../batch/prepare-batch';
import { readRowsFile } from '../batch/rows-file';
import type { CliCommand } from './args';
import { UsageError } from './args';
import type { CliServices } from './cli-services';
import { EXIT, interruptExitCode, type CommandIo } from './run-command';
import { loadSource } from './workflow-source';

export type BatchCommand = Extract<CliCommand, { command: 'batch' }>;

export interface BatchIo extends CommandIo {
  /** stderr when it is a terminal: progress is a live bar there instead of a line per row event. */
  tty?: LiveTerminal | undefined;
}

/** Checks a batch command line before anything starts (simulator, ledger lock): the source opens and the rows file exists. */
export async function checkBatchCommandLine(cmd: BatchCommand, cwd: string): Promise<void> {
  await loadSource(cmd.source, registry, cwd);
  await readRowsFile(cmd.rows, cwd, { put: () => Promise.reject(new Error('not stored')), get: () => Promise.reject(new Error('not read')) });
}

/**
 * `batch`: a template or workflow over the rows of a CSV/TSV/JSONL file. Every row is checked
 * (dry run) and the whole batch's maximum cost printed before the first submit; then rows run on
 * `backend` (in-process by default) with one spend cap, each into `<out>/<row id>/` with its
 * manifest, while `<out>/batch.json` is rewritten atomically. Re-running with the same
 * `--cache-dir` runs only what is unfinished; a stop (Ctrl-C, SIGTERM) ends like a single run.
 */
export async function runBatchCommand(cmd: BatchCommand, io: BatchIo, s: CliServices, backend?: BatchBackend): Promise<number> {
  const outDir = resolve(io.cwd, cmd.out);
  await mkdir(outDir, { recursive: true });
  const loaded = await loadSource(cmd.source, registry, io.cwd);
  for (const w of loaded.warnings) io.stderr(`warning: ${w}`);
  const rowsFile = await readRowsFile(cmd.rows, io.cwd, s.assets);
  const earlier = await readBatchFile(outDir);
  if (earlier.problem) {
    const kept = join(outDir, `${BATCH_FILE}.unreadable-${Date.now()}`);
    await rename(join(outDir, BATCH_FILE), kept).catch(() => undefined);
    io.stderr(
      `warning: the earlier ${BATCH_FILE} cannot be read (${earlier.problem}); kept as ${kept}. Rows are checked against the ledger and cache instead.`,
    );
  }

  const stop = new AbortController();
  const onAbort = () => stop.abort(io.signal?.reason);
  if (io.signal?.aborted) onAbort();
  io.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await reportRecovery(s, io);
    for (const id of cmd.repay) if (id !== 'all') s.ledger.allowRepay(id);
    let prepared;
    try {
      prepared = await prepareBatch({
        workflow: loaded.workflow,
        origin: loaded.origin,
        rows: rowsFile,
        services: s,
        registry,
        previous: earlier.summary,
        repay: cmd.repay,
        skipInvalid: cmd.skipInvalid,
        maxSpendUsd: cmd.maxSpendUsd,
        signal: stop.signal,
        stderr: io.stderr,
        tty: io.tty,
      });
    } catch (e) {
      if (!stop.signal.aborted) throw e;
      io.stderr('Interrupted while checking rows; nothing was submitted.');
      return interruptExitCode(stop.signal.reason);
    }
    if ('refused' in prepared) throw new UsageError(prepared.refused);

    let summary = prepared.summary;
    const file = new BatchFileWriter(join(outDir, BATCH_FILE), 500, (e) => io.stderr(`warning: could not write ${BATCH_FILE}: ${String(e)}`));
    await file.flush(summary);
    const progress = new BatchProgress({ line: io.stderr, tty: io.tty, now: () => realClock.now() });
    const onEvent = (e: BatchEvent) => {
      summary = reduceBatch(summary, e);
      file.update(summary);
      progress.onEvent(e, summary);
    };
    const run = backend ?? new InProcessBackend({ ...s, registry, outDir, origin: loaded.origin, mode: s.mode, log: warnLog(io) });
    const result = await run.run({
      batchId: summary.batchId,
      rows: prepared.rows,
      concurrency: cmd.concurrency,
      ...(cmd.maxSpendUsd !== undefined ? { capUsd: cmd.maxSpendUsd } : {}),
      signal: stop.signal,
      onEvent,
    });

    // In-process, this process's ledger follows the jobs; through a queue the workers do (the backend waited for them).
    if (stop.signal.aborted && !backend) {
      io.stderr(
        `Stopping: cancelling queued requests and waiting up to ${Math.round((io.settleMs ?? 30_000) / 1000)} s for answers (press Ctrl-C again to quit at once)…`,
      );
      s.ledger.stopAll(stop.signal.reason);
      if (!(await s.ledger.settle(io.settleMs ?? 30_000))) io.stderr('Some answers did not come in time; what is known is in batch.json.');
    }
    const left = s.ledger.live();
    for (const r of left) io.stderr(`[${r.nodeId}] ${describeLeft(r, s.persistent)}`);
    s.ledger.detachAll();
    summary = await withLateRequestIds(summary, s);
    if (stop.signal.aborted) for (const line of await describeStopped(summary, s, new Set(left.map((r) => r.jobId)), backend !== undefined)) io.stderr(line);
    summary = withTotals({ ...summary, updatedAt: new Date().toISOString() });
    progress.end(summary);
    await file.flush(summary);
    report(summary, outDir, cmd, io);
    if (result.status === 'interrupted') return interruptExitCode(stop.signal.reason);
    return summary.totals.failed || summary.totals.interrupted ? EXIT.failed : EXIT.ok;
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * A stopped row's submit may have been answered after the row ended (a stop waits for submits
 * in flight): its request id is in the ledger, and goes into batch.json too, so none is lost.
 */
async function withLateRequestIds(summary: BatchSummary, s: CliServices): Promise<BatchSummary> {
  let out = summary;
  for (const row of summary.rows) {
    if (row.status !== 'interrupted' && row.status !== 'running') continue;
    for (const jobId of row.jobIds) {
      const requestId = (await s.ledger.get(jobId))?.requestId;
      if (requestId && !row.requestIds.includes(requestId)) out = reduceBatch(out, { type: 'row-job', rowId: row.id, jobId, requestId, at: Date.now() });
    }
  }
  return out;
}

const warnLog =
  (io: BatchIo) =>
  (level: string, message: string, rowId: string, nodeId?: string): void => {
    if (level === 'warn' || level === 'error') io.stderr(`${level}: row ${rowId}${nodeId ? ` [${nodeId}]` : ''}: ${message}`);
  };

/** What the last process left: unknown submissions are reported; jobs in flight are collected (polling only, nothing resubmitted). */
async function reportRecovery(s: CliServices, io: BatchIo): Promise<void> {
  const report = await s.ledger.recover();
  const row = (r: JobRecord) => (r.batch ? `row ${r.batch.rowId} ` : '');
  for (const r of report.orphaned) io.stderr(`${row(r)}[${r.nodeId}] ${r.error?.message ?? 'unknown submission'} To pay again for it: --repay ${r.jobId}`);
  for (const r of report.reattached)
    io.stderr(
      `${row(r)}[${r.nodeId}] collecting earlier ${r.requestId ? `request ${r.requestId}` : `job ${r.jobId}`} (${r.state}); nothing is submitted again.`,
    );
  for (const r of report.elsewhere) io.stderr(`${row(r)}[${r.nodeId}] job ${r.jobId} is followed by another process (${r.owner?.id ?? '?'}).`);
}

/**
 * What a stop did to the paid jobs of the rows it interrupted, from the ledger: a row ends as soon
 * as it is stopped, before its cancel is answered, so its own line cannot say. Cancelled (RunComfy
 * said so: not billed), finished while stopping (billed, images kept) or still at RunComfy (billed
 * if it runs); jobs in `shown` were named already.
 */
async function describeStopped(summary: BatchSummary, s: CliServices, shown: ReadonlySet<string>, queued: boolean): Promise<string[]> {
  const lines: string[] = [];
  for (const row of summary.rows) {
    if (row.status !== 'interrupted') continue;
    for (const jobId of row.jobIds) {
      if (shown.has(jobId)) continue;
      const r = await s.ledger.get(jobId);
      if (r?.state === 'cancelled') lines.push(`row ${row.id}: ${ledgerMessages.cancelled(r)}.`);
      else if (r?.state === 'stored')
        lines.push(
          `row ${row.id}: request ${r.requestId ?? r.jobId} finished while stopping — it is billed, and its images are kept: the next run of the batch writes them without paying again.`,
        );
      else if (r && ACTIVE_STATES.has(r.state)) lines.push(describeLeft(r, s.persistent, queued));
    }
  }
  return lines;
}

/** A job still at RunComfy after a stop. `queued`: through a queue, where a worker goes on collecting it. */
function describeLeft(r: JobRecord, persistent: boolean, queued = false): string {
  const row = r.batch ? `row ${r.batch.rowId}: ` : '';
  if (r.state === 'intent' && !queued)
    return `${row}job ${r.jobId}: its submit got no reply yet — it may be created and billed. It is recorded; the next run with the same --cache-dir reports it and never resubmits it.`;
  const billed = `${row}request ${r.requestId ?? r.jobId} is still ${r.state} at RunComfy — it will be billed${r.state === 'running' ? '' : ' if it runs'}`;
  if (queued) return `${billed}; a worker goes on collecting it: run the same batch command again to write its images.`;
  return `${billed}.${persistent ? ' Run the batch again with the same --cache-dir to collect its images without paying twice.' : ''}`;
}

function report(s: BatchSummary, outDir: string, cmd: BatchCommand, io: BatchIo): void {
  if (cmd.json) io.stdout(JSON.stringify(s, null, 2));
  const t = s.totals;
  const parts = [
    `${t.succeeded}/${t.rows} row(s) succeeded`,
    ...(t.failed ? [`${t.failed} failed`] : []),
    ...(t.interrupted ? [`${t.interrupted} interrupted`] : []),
    ...(t.queued ? [`${t.queued} not started`] : []),
    ...(t.invalid ? [`${t.invalid} invalid`] : []),
    ...(t.skipped ? [`${t.skipped} skipped`] : []),
  ];
  // Lines that never became rows (unreadable, a bad or repeated id) are in `problems`, not in the totals.
  const unread = new Set(s.problems.map((p) => p.line)).size;
  if (unread) parts.push(`${unread} more line(s) of the rows file not run (${BATCH_FILE} problems)`);
  const earlier = s.rows.filter((r) => r.doneEarlier).length;
  io.stderr(
    `Batch ${s.status}: ${parts.join(', ')}${earlier ? ` (${earlier} done earlier)` : ''}; ${t.images} image(s) in ${outDir}, cost ${formatUsd(t.costUsd)} (${BATCH_FILE}).`,
  );
}
