import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { SEEDREAM_MODEL_ID } from '../../app/model/seedream';
import { optionsFromArgs } from '../../app/server/simulator-main';

describe('simulator-main options', () => {
  it('reads flags, falling back to PORT/HOST/SIMULATOR_TOKEN', () => {
    const opts = optionsFromArgs(['--time-scale', '0.1', '--workers', '3', '--omit-urls', '--fault', '{"kind":"http","status":429,"route":"submit"}'], {
      PORT: '9001',
      HOST: '127.0.0.2',
      SIMULATOR_TOKEN: 't',
    });
    expect(opts).toEqual({
      host: '127.0.0.2',
      port: 9001,
      token: 't',
      timeScale: 0.1,
      workers: 3,
      omitSubmitUrls: true,
      faults: [{ kind: 'http', status: 429, route: 'submit' }],
    });
  });

  it('defaults to 127.0.0.1:8189 and explains bad flags', () => {
    expect(optionsFromArgs([], {})).toEqual({ host: '127.0.0.1', port: 8189 });
    expect(optionsFromArgs(['--fast'], {})).toMatchObject({ timeScale: 0.05 });
    expect(() => optionsFromArgs(['--workers', 'many'], {})).toThrow(/--workers expects a number/);
    expect(() => optionsFromArgs(['--fault', '{"kind":"boom"}'], {})).toThrow(/--fault/);
    expect(() => optionsFromArgs(['--billing', 'free'], {})).toThrow(/--billing/);
  });

  it('runs standalone and prints its URL', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'app/server/simulator-main.ts', '--port', '0', '--fast'], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const lines = createInterface({ input: child.stdout });
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('simulator did not print its URL in time')), 15_000);
        lines.on('line', (line) => {
          const m = /listening on (http:\/\/\S+)/.exec(line);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        child.once('exit', (code) => reject(new Error(`simulator exited early (${code})`)));
      });
      const res = await fetch(`${url}/v1/models/${SEEDREAM_MODEL_ID}`);
      expect((await res.json()) as unknown).toMatchObject({ model_id: SEEDREAM_MODEL_ID });
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
