import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface SimulatorProcess {
  /** Origin the child printed, e.g. `http://127.0.0.1:40123`. */
  url: string;
  child: ChildProcess;
  /** Everything the child wrote to stdout so far. */
  output: string[];
  /** Sends `signal` and resolves with the exit code (null when killed by the signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs `npm run simulator` as a separate process (`tsx app/server/simulator-main.ts`), so a test
 * can kill a client process and run it again against the same simulator. Resolves once the child
 * printed its URL; pass `--port 0` for a free port.
 */
export async function spawnSimulator(args: string[], env: NodeJS.ProcessEnv = {}, startMs = 15_000): Promise<SimulatorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/server/simulator-main.ts', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  const lines = createInterface({ input: child.stdout! });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`simulator did not print its URL within ${startMs} ms`)), startMs);
      lines.on('line', (line) => {
        output.push(line);
        const m = /listening on (http:\/\/\S+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`simulator exited early (${code})`));
      });
    });
    return { url, child, output, stop };
  } catch (err) {
    await stop('SIGKILL');
    throw err;
  }
}
