/**
 * One `worker --queue` process for the batch bench (test/bench/queue-scaling.ts), through
 * `runCli` so it polls the simulator on the bench's fixed schedule. Argument: JSON {url, baseUrl,
 * pollMs, concurrency}. Stops on SIGTERM.
 */
import { fixedPollPolicy } from '../../app/api/poll-policy';
import { runCli } from '../../app/server/cli/run-cli';

const job = JSON.parse(process.argv[2] ?? '{}') as { url: string; baseUrl: string; pollMs: number; concurrency: number };
const stop = new AbortController();
process.on('SIGTERM', () => stop.abort());
const code = await runCli({
  argv: ['worker', '--queue', job.url, '--concurrency', String(job.concurrency)],
  env: { RUNCOMFY_API_TOKEN: 'bench', RUNCOMFY_BASE_URL: job.baseUrl },
  cwd: process.cwd(),
  stdout: () => undefined,
  stderr: (t) => process.stderr.write(`${t}\n`),
  signal: stop.signal,
  pollPolicy: fixedPollPolicy(job.pollMs),
  settleMs: 1_000,
});
process.exit(code === 143 || code === 130 ? 0 : code);
