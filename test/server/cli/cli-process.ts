import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zJobRecord, type JobRecord } from '../../../app/ledger';
import { zManifest, type Manifest } from '../../../app/server/cli/manifest';

/** A CLI run as its own process (`node --import tsx app/server/cli.ts …`), the way a user starts it. */
export interface CliProcess {
  child: ChildProcess;
  /** stderr so far (progress and messages). */
  stderr(): string;
  stdout(): string;
  /** Resolves with the exit code, or the signal that killed it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once stderr matches `pattern`; rejects if the process ends first or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/**
 * Starts the CLI against a simulator at `apiBaseUrl` (its `/v1` URL) with token `token`. Paths
 * in `args` should be absolute: the child runs from the repository root so `tsx` resolves.
 */
export function spawnCli(args: string[], o: { apiBaseUrl: string; token: string; env?: NodeJS.ProcessEnv }): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/server/cli.ts', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, RUNCOMFY_BASE_URL: o.apiBaseUrl, RUNCOMFY_API_TOKEN: o.token, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  const waiters = new Set<() => void>();
  child.stderr!.setEncoding('utf8').on('data', (t: string) => {
    err += t;
    for (const w of waiters) w();
  });
  child.stdout!.setEncoding('utf8').on('data', (t: string) => {
    out += t;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const w of waiters) w();
      resolve({ code, signal });
    }),
  );
  const waitFor = (pattern: RegExp, timeoutMs = 15_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`CLI stderr did not match ${pattern} within ${timeoutMs} ms:\n${err}`)), timeoutMs);
      const check = () => {
        if (pattern.test(err)) done();
        else if (child.exitCode !== null || child.signalCode !== null) done(new Error(`CLI ended before stderr matched ${pattern}:\n${err}`));
      };
      const done = (e?: Error) => {
        clearTimeout(timer);
        waiters.delete(check);
        if (e) reject(e);
        else resolve();
      };
      waiters.add(check);
      check();
    });
  return { child, stderr: () => err, stdout: () => out, exited, waitFor };
}

/** Every job record in the ledger of `cacheDir` (as the next run would read them). */
export async function ledgerRecords(cacheDir: string): Promise<JobRecord[]> {
  const dir = join(cacheDir, 'ledger');
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json'));
  return Promise.all(files.map(async (f) => zJobRecord.parse(JSON.parse(await readFile(join(dir, f), 'utf8')))));
}

/** The manifest a run wrote into `outDir`. */
export async function readManifest(outDir: string): Promise<Manifest> {
  return zManifest.parse(JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8')));
}
