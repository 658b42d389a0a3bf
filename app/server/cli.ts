/**
 * `npm run cli -- …`: runs workflows headless with the same executor, node kinds and job ledger
 * as the editor. See app/server/cli/args.ts for the commands.
 */
import { pathToFileURL } from 'node:url';
import { invocationDir } from './cli/invocation-dir';
import { InterruptError, interruptExitCode, runCli } from './cli/run-cli';

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // After SIGHUP the terminal may be gone: a failed write must not turn a clean stop into a crash.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  const ac = new AbortController();
  // SIGINT (Ctrl-C), SIGTERM (kill, CI) and SIGHUP (the terminal went away) all stop the same way:
  // queued jobs are cancelled, running ones named, the manifest written (the run says so). A
  // second signal leaves at once: every intent is already on disk, so the next run reports what
  // was in flight.
  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(name, () => {
      if (!ac.signal.aborted) return ac.abort(new InterruptError(name));
      process.stderr.write(
        `\n${name} again: quitting now. Every submit is recorded in the ledger; the next run with the same --cache-dir reports or collects what was in flight.\n`,
      );
      process.exit(interruptExitCode(ac.signal.reason));
    });
  }
  const code = await runCli({
    argv: process.argv.slice(2),
    env: process.env,
    cwd: invocationDir(process.env, process.cwd()),
    stdout: (t) => process.stdout.write(`${t}\n`),
    stderr: (t) => process.stderr.write(`${t}\n`),
    signal: ac.signal,
    ...(process.stderr.isTTY ? { tty: { write: (t: string) => process.stderr.write(t), columns: process.stderr.columns } } : {}),
  });
  // Leave now, once the output is flushed: a submit whose reply never came (a stop gave up on it)
  // must not hold the process for its timeout, nor write to a ledger this process no longer holds.
  // Its intent is on disk, so the next run reports it.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
