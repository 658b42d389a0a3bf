/**
 * `npm run cli -- …`: runs workflows headless with the same executor, node kinds and job ledger
 * as the editor. See app/server/cli/args.ts for the commands.
 */
import { pathToFileURL } from 'node:url';
import { InterruptError, interruptExitCode, runCli } from './cli/run-cli';

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const ac = new AbortController();
  // SIGINT (Ctrl-C), SIGTERM (kill, CI) and SIGHUP (the terminal went away) all stop the same way:
  // queued jobs are cancelled, running ones named, the manifest written. A second signal leaves at
  // once: every intent is already on disk, so the next run reports what was in flight.
  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(name, () => {
      if (ac.signal.aborted) process.exit(interruptExitCode(ac.signal.reason));
      process.stderr.write(`\nInterrupted (${name}) — cancelling queued jobs, waiting for answers (send it again to quit at once)…\n`);
      ac.abort(new InterruptError(name));
    });
  }
  const code = await runCli({
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    stdout: (t) => process.stdout.write(`${t}\n`),
    stderr: (t) => process.stderr.write(`${t}\n`),
    signal: ac.signal,
  });
  process.exitCode = code;
}
