import { resolve } from 'node:path';
import { realClock } from '../../lib/clock';
import type { CliCommand } from '../cli/args';
import { UsageError } from '../cli/args';
import { checkBatchCommandLine, runBatchCommand, type BatchCommand } from '../cli/batch-command';
import { EXIT, interruptExitCode } from '../cli/run-command';
import type { CliDeps } from '../cli/run-cli';
import { registry } from '../../../nodes';
import { QueueBackend } from './queue-backend';
import { openQueueServices, shownUrl, type QueueServices } from './queue-services';
import { QueueWorker, workerTimings } from './queue-worker';

type WorkerCommand = Extract<CliCommand, { command: 'worker' }>;

const tokenMissing = (deps: CliDeps) => {
  if (deps.env.RUNCOMFY_API_TOKEN?.trim()) return false;
  deps.stderr('No RunComfy API token: set RUNCOMFY_API_TOKEN (and RUNCOMFY_BASE_URL for another API). Every worker and the coordinator need the same API.');
  return true;
};

/**
 * `batch … --queue URL`: the batch command with its rows on workers. The same checks, cost
 * first, batch.json, progress and exit codes as in-process (runBatchCommand); the services are
 * PostgreSQL's (images, ledger) and the backend is the queue's.
 */
export async function runQueuedBatch(cmd: BatchCommand & { queue: string }, deps: CliDeps): Promise<number> {
  if (tokenMissing(deps)) return EXIT.usage;
  let services: QueueServices;
  try {
    await checkBatchCommandLine(cmd, deps.cwd);
    services = await openQueueServices(
      {
        url: cmd.queue,
        env: deps.env,
        cwd: deps.cwd,
        stderr: deps.stderr,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
        ...(deps.pollPolicy ? { pollPolicy: deps.pollPolicy } : {}),
      },
      'coordinator',
    );
  } catch (e) {
    deps.stderr(e instanceof Error ? e.message : String(e));
    return e instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
  try {
    deps.stderr(`Queue: ${shownUrl(cmd.queue)} (${services.queue}); rows run on "worker --queue" processes pointed at ${services.provider.endpoint}.`);
    const backend = new QueueBackend({
      services,
      outDir: resolve(deps.cwd, cmd.out),
      origin: cmd.source,
      ...(deps.settleMs !== undefined ? { settleMs: deps.settleMs } : {}),
      say: deps.stderr,
    });
    return await runBatchCommand(
      cmd,
      { cwd: deps.cwd, stdout: deps.stdout, stderr: deps.stderr, tty: deps.tty, ...(deps.signal ? { signal: deps.signal } : {}), settleMs: 0 },
      services,
      backend,
    );
  } catch (e) {
    if (e instanceof UsageError) {
      deps.stderr(e.message);
      return EXIT.usage;
    }
    deps.stderr(`Error: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.failed;
  } finally {
    await services.close();
  }
}

/**
 * `worker --queue URL`: runs rows of every batch queued for its API until Ctrl-C/SIGTERM, then
 * hands its running rows back to the queue (their jobs are re-attached by another worker).
 */
export async function runWorkerCommand(cmd: WorkerCommand, deps: CliDeps): Promise<number> {
  if (tokenMissing(deps)) return EXIT.usage;
  const timings = workerTimings(cmd.leaseSeconds * 1000);
  let services: QueueServices;
  try {
    services = await openQueueServices(
      {
        url: cmd.queue,
        env: deps.env,
        cwd: deps.cwd,
        cacheDir: cmd.cacheDir,
        leaseMs: timings.leaseMs,
        poolSize: cmd.concurrency * 2 + 6,
        stderr: deps.stderr,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
        ...(deps.pollPolicy ? { pollPolicy: deps.pollPolicy } : {}),
        ...(deps.deadlineMs !== undefined ? { deadlineMs: deps.deadlineMs } : {}),
      },
      'worker',
    );
  } catch (e) {
    deps.stderr(e instanceof Error ? e.message : String(e));
    return EXIT.failed;
  }
  try {
    const report = await services.ledger.recover();
    for (const r of report.orphaned) deps.stderr(`job ${r.jobId}${r.batch ? ` (row ${r.batch.rowId})` : ''}: ${r.error?.message ?? 'unknown submission'}`);
    for (const r of report.reattached)
      deps.stderr(
        `collecting ${r.requestId ? `request ${r.requestId}` : `job ${r.jobId}`} left by ${r.owner?.id ?? 'an earlier process'} (nothing is submitted again)`,
      );
    const worker = new QueueWorker({
      pool: services.pool,
      boss: services.boss,
      queue: services.queue,
      ledger: services.ledger,
      provider: services.provider,
      assets: services.assets,
      registry,
      clock: realClock,
      workerId: services.owner.id,
      leaseMs: timings.leaseMs,
      concurrency: cmd.concurrency,
      timings,
      log: (level, message) => deps.stderr(level === 'info' ? message : `${level}: ${message}`),
    });
    await worker.start();
    deps.stderr(
      `Worker ${services.owner.id} on ${shownUrl(cmd.queue)} (${services.queue}, API ${services.provider.endpoint}): up to ${cmd.concurrency} row(s) at once; lease ${cmd.leaseSeconds} s (database time, offset ${services.clock.offset} ms).`,
    );
    const signal = deps.signal ?? new AbortController().signal;
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    deps.stderr(
      `Stopping: handing ${worker.running} running row(s) back to the queue (submits in flight are awaited up to ${Math.round((deps.settleMs ?? 30_000) / 1000)} s)…`,
    );
    await worker.stop(deps.settleMs ?? 30_000);
    deps.stderr(`Worker stopped after ${worker.finished} row(s).`);
    return interruptExitCode(signal.reason);
  } finally {
    await services.close();
  }
}
