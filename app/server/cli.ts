/**
 * `npm run cli -- …`: runs workflows headless with the same executor and node kinds as the
 * editor. See app/server/cli/args.ts for the commands.
 */
import { pathToFileURL } from 'node:url';
import { runCli } from './cli/run-cli';

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const ac = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130); // a second Ctrl-C: leave now
    process.stderr.write('\nInterrupted — cancelling queued jobs (Ctrl-C again to quit at once)…\n');
    ac.abort(new Error('Interrupted by the user'));
  });
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
