import type { PollPolicy } from '../../api/poll-policy';
import { registry } from '../../../nodes';
import type { SimulatorOptions } from '../simulator';
import { LedgerLockedError } from '../file-ledger-store';
import { CLI_HELP, parseCliArgs, UsageError, type CliCommand } from './args';
import { checkBatchCommandLine, runBatchCommand } from './batch-command';
import { checkCommandLine } from './check-command';
import { openCliServices } from './cli-services';
import { formatTemplateListing, listTemplates } from './list-templates';
import { EXIT, runWorkflowCommand } from './run-command';
import { runCollectCommand } from '../queue/collect-command';
import { runQueuedBatch, runWorkerCommand } from '../queue/queue-commands';

export { EXIT, InterruptError, interruptExitCode } from './run-command';

export interface CliDeps {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Aborts on Ctrl-C, SIGTERM or SIGHUP (its reason an InterruptError naming the signal). */
  signal?: AbortSignal;
  fetch?: typeof fetch;
  /** Overrides for the in-process simulator (`--simulate`); tests make it fast. */
  simulator?: SimulatorOptions;
  /** How long a stop waits for submits in flight and cancels to be answered (default 30 s). */
  settleMs?: number;
  /** Poll schedule override; tests use a short fixed one against a fast simulator. */
  pollPolicy?: PollPolicy;
  /** How long the ledger follows a job without a definitive answer (default 30 min). */
  deadlineMs?: number;
  /** stderr when it is a terminal (raw writes): `batch` draws a live progress bar there. */
  tty?: { write(text: string): void; columns?: number };
}

/** The CLI as a function: everything it touches comes in through `deps`; returns the exit code. */
export async function runCli(deps: CliDeps): Promise<number> {
  let cmd: CliCommand;
  try {
    cmd = parseCliArgs(deps.argv);
  } catch (e) {
    deps.stderr(`${e instanceof Error ? e.message : String(e)}\nRun with --help for usage.`);
    return EXIT.usage;
  }
  if (cmd.command === 'help') {
    deps.stdout(CLI_HELP);
    return EXIT.ok;
  }
  if (cmd.command === 'templates') {
    const templates = listTemplates(registry);
    if (cmd.json) deps.stdout(JSON.stringify(templates, null, 2));
    else for (const line of formatTemplateListing(templates)) deps.stdout(line);
    return EXIT.ok;
  }
  if (cmd.command === 'worker') return runWorkerCommand(cmd, deps);
  if (cmd.command === 'collect') return runCollectCommand(cmd, deps);
  if (cmd.command === 'batch' && cmd.queue !== undefined) return runQueuedBatch({ ...cmd, queue: cmd.queue }, deps);
  if (!cmd.simulate && !deps.env.RUNCOMFY_API_TOKEN?.trim()) {
    deps.stderr(
      'No RunComfy API token. Either set RUNCOMFY_API_TOKEN (from your RunComfy profile) to run Seedream for real — each run is billed — ' +
        'or add --simulate to use the built-in simulator (placeholder images marked SIMULATED, no cost).',
    );
    return EXIT.usage;
  }

  let services;
  try {
    await (cmd.command === 'batch' ? checkBatchCommandLine(cmd, deps.cwd) : checkCommandLine(cmd, deps.cwd));
    services = await openCliServices({
      cwd: deps.cwd,
      env: deps.env,
      cacheDir: cmd.cacheDir,
      simulate: cmd.simulate,
      stderr: deps.stderr,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      ...(deps.simulator ? { simulator: deps.simulator } : {}),
      ...(deps.pollPolicy ? { pollPolicy: deps.pollPolicy } : {}),
      ...(deps.deadlineMs !== undefined ? { deadlineMs: deps.deadlineMs } : {}),
    });
  } catch (e) {
    deps.stderr(e instanceof Error ? e.message : String(e));
    return e instanceof LedgerLockedError || e instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
  try {
    const io = {
      cwd: deps.cwd,
      stdout: deps.stdout,
      stderr: deps.stderr,
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(deps.settleMs !== undefined ? { settleMs: deps.settleMs } : {}),
    };
    if (cmd.command === 'batch') return await runBatchCommand(cmd, { ...io, tty: deps.tty }, services);
    return await runWorkflowCommand(cmd, io, services);
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
