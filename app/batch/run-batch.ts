import type { CacheStore } from '../engine/cache';
import { executePlan, planRun, type LogLevel, type NodeErrorInfo, type RunEvent, type RunSummary } from '../engine';
import { readJobMeta, type PaidGeneration } from '../graph/generation';
import type { AssetStore, OutputSink } from '../graph/node-definition';
import type { ImageRef } from '../graph/ports';
import type { NodeRegistry } from '../graph/registry';
import type { Workflow } from '../graph/workflow-schema';
import type { Clock } from '../lib/clock';
import type { BatchEvent } from './batch-summary';
import { eachLimit } from './pool';
import { rowFingerprint } from './validate-rows';

/** A checked row, ready to run. Its workflow is not held: `resolve` applies the row's cells again. */
export interface BatchRunRow {
  id: string;
  line: number;
  /** From the check: the row runs only if it still resolves to the same workflow. */
  fingerprint: string;
  resolve(signal: AbortSignal): Promise<Workflow>;
}

/** Where one row's results go (the CLI: `<out>/<row id>/`; the editor: its zip and history). */
export interface RowOutput {
  /** Save nodes of the row write here. */
  sink: OutputSink;
  /** After the row ran (or stopped): keeps what the host keeps (a manifest) and returns the files written, as the summary lists them. */
  finish(run: { summary: RunSummary; workflow: Workflow; interrupted: boolean; jobIds: string[] }): Promise<string[]>;
}

/** Paid generation per row: the spend cap (SpendCap.forRow), or anything that tags and counts. */
export interface BatchGeneration {
  forRow(tag: { batchId: string; rowId: string }): PaidGeneration & { spentUsd?(): number };
}

export interface RunBatchOptions {
  batchId: string;
  rows: readonly BatchRunRow[];
  registry: NodeRegistry;
  generation: BatchGeneration;
  assets: AssetStore;
  clock: Clock;
  /** Wall-clock ms for event times (default Date.now). */
  wallNow?: () => number;
  cache?: CacheStore;
  openRow(row: BatchRunRow, workflow: Workflow, signal: AbortSignal): Promise<RowOutput>;
  /** Rows at once. */
  concurrency: number;
  /** Nodes at once within a row (at most 4). */
  nodeConcurrency?: number;
  signal?: AbortSignal;
  onEvent(event: BatchEvent): void;
  log?(level: LogLevel, message: string, rowId: string, nodeId?: string): void;
}

export interface BatchRunResult {
  status: 'succeeded' | 'failed' | 'interrupted';
  succeeded: number;
  failed: number;
  interrupted: number;
  /** Rows never started (the batch was stopped first). */
  notStarted: number;
}

const MAX_NODE_CONCURRENCY = 4;

/**
 * Runs checked rows, `concurrency` at once, each through the executor with the row's own node
 * concurrency (≤ 4) and the shared ledger/cap behind `generation`. A failing row never stops the
 * others; a stop (`signal`) lets running rows end as the executor ends them and starts no more.
 * Emits typed batch events for progress UIs; keeps nothing of a finished row (its workflow,
 * outputs and events are dropped), so memory does not grow with the number of rows.
 */
export async function runBatch(o: RunBatchOptions): Promise<BatchRunResult> {
  const wallNow = o.wallNow ?? Date.now;
  const signal = o.signal ?? new AbortController().signal;
  const result: BatchRunResult = { status: 'succeeded', succeeded: 0, failed: 0, interrupted: 0, notStarted: 0 };
  const emit = (e: BatchEvent) => {
    try {
      o.onEvent(e);
    } catch (err) {
      o.log?.('error', `A batch event listener failed: ${String(err)}`, 'rowId' in e ? e.rowId : '');
    }
  };
  // One listener on the batch's signal stops every running row (a listener per row would pile up on it).
  const live = new Set<AbortController>();
  const stopRows = () => {
    for (const c of live) c.abort(signal.reason);
  };
  signal.addEventListener('abort', stopRows, { once: true });
  let started = 0;
  await eachLimit(
    o.rows,
    o.concurrency,
    async (row) => {
      started++;
      const rowStop = new AbortController();
      live.add(rowStop);
      if (signal.aborted) rowStop.abort(signal.reason);
      try {
        result[await runRow(row, o, rowStop.signal, emit, wallNow)]++;
      } finally {
        live.delete(rowStop);
      }
    },
    signal,
  );
  signal.removeEventListener('abort', stopRows);
  result.notStarted = o.rows.length - started;
  result.status = signal.aborted ? 'interrupted' : result.failed || result.interrupted ? 'failed' : 'succeeded';
  emit({ type: 'batch-done', status: result.status, at: wallNow() });
  return result;
}

async function runRow(
  row: BatchRunRow,
  o: RunBatchOptions,
  signal: AbortSignal,
  emit: (e: BatchEvent) => void,
  wallNow: () => number,
): Promise<'succeeded' | 'failed' | 'interrupted'> {
  const jobIds = new Set<string>();
  const requestIds = new Set<string>();
  const generation = o.generation.forRow({ batchId: o.batchId, rowId: row.id });
  let firstError: NodeErrorInfo & { nodeId?: string } = { code: 'row-failed', message: 'The row did not finish.' };
  const done = (status: 'succeeded' | 'failed' | 'interrupted', files: string[], error?: NodeErrorInfo & { nodeId?: string }) => {
    emit({
      type: 'row-done',
      rowId: row.id,
      status,
      costUsd: generation.spentUsd?.() ?? 0,
      files,
      requestIds: [...requestIds],
      jobIds: [...jobIds],
      ...(error ? { error: errorOf(error) } : {}),
      at: wallNow(),
    });
    return status;
  };
  const noteJob = (jobId: string | undefined, requestId: string | undefined) => {
    if (!jobId || (jobIds.has(jobId) && (!requestId || requestIds.has(requestId)))) return;
    jobIds.add(jobId);
    if (requestId) requestIds.add(requestId);
    emit({ type: 'row-job', rowId: row.id, jobId, ...(requestId ? { requestId } : {}), at: wallNow() });
  };
  emit({ type: 'row-start', rowId: row.id, at: wallNow() });
  try {
    const workflow = await row.resolve(signal);
    if (rowFingerprint(workflow) !== row.fingerprint) {
      return done('failed', [], {
        code: 'row-changed',
        message: 'A file or value this row names changed after the batch was checked; nothing was submitted for it. Run the batch again to check it anew.',
      });
    }
    const plan = planRun(workflow, o.registry);
    const output = await o.openRow(row, workflow, signal);
    const onEvent = (e: RunEvent) => {
      switch (e.type) {
        case 'node-progress':
          noteJob(e.detail?.jobId, e.detail?.requestId);
          emit({
            type: 'row-progress',
            rowId: row.id,
            nodeId: e.nodeId,
            ...(e.message ? { message: e.message } : {}),
            ...(e.detail ? { detail: e.detail } : {}),
            at: wallNow(),
          });
          break;
        case 'node-done':
        case 'node-cached': {
          const job = readJobMeta(e.meta);
          if (!job) break;
          noteJob(job.jobId, job.requestId);
          const images = e.outputs.images;
          if (Array.isArray(images)) emit({ type: 'row-images', rowId: row.id, nodeId: e.nodeId, images: images as ImageRef[], at: wallNow() });
          break;
        }
        case 'node-error':
          if (firstError.code === 'row-failed' && e.error.code !== 'aborted') firstError = { ...e.error, nodeId: e.nodeId };
          if (e.error.requestId) requestIds.add(e.error.requestId);
          break;
        default:
          break;
      }
    };
    const summary = await executePlan(
      plan,
      {
        generation,
        assets: o.assets,
        output: output.sink,
        clock: o.clock,
        log: (level, message, nodeId) => o.log?.(level, message, row.id, nodeId),
      },
      {
        concurrency: Math.min(MAX_NODE_CONCURRENCY, Math.max(1, o.nodeConcurrency ?? MAX_NODE_CONCURRENCY)),
        ...(o.cache ? { cache: o.cache } : {}),
        signal,
        runId: `${o.batchId}/${row.id}`,
        onEvent,
      },
    );
    const interrupted = summary.status === 'aborted';
    const files = await output.finish({ summary, workflow, interrupted, jobIds: [...jobIds] });
    if (summary.status === 'succeeded') return done('succeeded', files);
    if (interrupted) return done('interrupted', files, { code: 'aborted', message: 'The batch was stopped before this row finished.' });
    if (summary.status === 'invalid') {
      const issue = summary.issues.find((i) => i.severity === 'error');
      return done('failed', files, { code: issue?.code ?? 'invalid', message: issue?.message ?? 'The row is not a runnable workflow.' });
    }
    return done('failed', files, firstError);
  } catch (e) {
    const interrupted = signal.aborted;
    return done(interrupted ? 'interrupted' : 'failed', [], {
      code: interrupted ? 'aborted' : 'row-failed',
      message: e instanceof Error ? e.message : String(e),
    });
  }
}

function errorOf(e: NodeErrorInfo & { nodeId?: string }) {
  return {
    code: e.code,
    message: e.message,
    ...(e.nodeId ? { nodeId: e.nodeId } : {}),
    ...(e.requestId ? { requestId: e.requestId } : {}),
  };
}
