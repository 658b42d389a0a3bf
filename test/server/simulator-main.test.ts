import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SEEDREAM_MODEL_ID } from '../../app/model/seedream';
import { connectSimulator } from '../../app/server/simulator';
import { optionsFromArgs } from '../../app/server/simulator-main';
import { spawnSimulator } from './simulator-process';

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
    expect(() => optionsFromArgs(['--fail-file', 'two'], {})).toThrow(/--fail-file expects/);
    expect(() => optionsFromArgs(['--hold-ms', '5'], {})).toThrow(/--hold-submits/);
    expect(() => optionsFromArgs(['--chaos-read', '2'], {})).toThrow(/--chaos/);
  });

  it('reads the fault switches', () => {
    const opts = optionsFromArgs(
      [
        ...['--hold-submits', '--hold-ms', '3000', '--fail-file', '2', '--fail-file', '0:reset', '--refuse-cancel'],
        ...['--files-expire-after-ms', '60000', '--expired-file-status', '404'],
        ...['--unknown-status', 'starting', '--unknown-status-polls', '2', '--unknown-status-on', 'both'],
      ],
      {},
    );
    expect(opts).toMatchObject({
      filesExpireAfterMs: 60000,
      expiredFileStatus: 404,
      unknownStatus: { word: 'starting', polls: 2, on: 'both' },
      faults: [
        { kind: 'http', status: 404, route: 'file', outputIndex: 2 },
        { kind: 'reset', route: 'file', outputIndex: 0 },
        { kind: 'hold', route: 'submit', ms: 3000 },
        { kind: 'refuse-cancel', route: 'cancel' },
      ],
    });
  });

  it('reads chaos from flags and environment, flags winning', () => {
    expect(optionsFromArgs(['--chaos-seed', '42', '--chaos-read', '0.1', '--chaos-hold-ms', '800'], {})).toMatchObject({
      chaos: { seed: 42, read: 0.1, holdMs: 800 },
    });
    const env = { SIMULATOR_CHAOS_SEED: '7', SIMULATOR_CHAOS: '{"submit":{"hold":0.5},"file":0.2}', SIMULATOR_TIME_SCALE: '0.5', SIMULATOR_PORT: '0' };
    expect(optionsFromArgs(['--chaos-file', '0.3'], env)).toMatchObject({ port: 0, timeScale: 0.5, chaos: { seed: 7, submit: { hold: 0.5 }, file: 0.3 } });
    expect(optionsFromArgs(['--chaos', '{"read":0.2}'], {})).toMatchObject({ chaos: { seed: 1, read: 0.2 } });
  });
});

/** Reads until `ok` holds (real time, bounded): for state another process changes. */
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, maxMs = 10_000): Promise<T> {
  const end = Date.now() + maxMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`eventually: still ${JSON.stringify(value)} after ${maxMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('simulator-main process', () => {
  it('runs standalone, prints its URL and exits 0 on SIGTERM', async () => {
    const sim = await spawnSimulator(['--port', '0', '--fast']);
    try {
      const res = await fetch(`${sim.url}/v1/models/${SEEDREAM_MODEL_ID}`);
      expect((await res.json()) as unknown).toMatchObject({ model_id: SEEDREAM_MODEL_ID });
    } finally {
      expect(await sim.stop('SIGTERM')).toBe(0);
    }
  });

  it('keeps the job of a held submit when its client is killed, and exits 0 on SIGINT with answers held', async () => {
    const sim = await spawnSimulator(['--port', '0', '--hold-submits']);
    try {
      const remote = connectSimulator(sim.url);
      const body = JSON.stringify({ images: ['https://example.com/ref.png'], prompt: 'Generate 2 images', sequential_image_generation_options: 2 });
      const modelUrl = `${sim.url}/v1/models/${SEEDREAM_MODEL_ID}`;
      const cli = spawn(process.execPath, ['-e', `fetch(${JSON.stringify(modelUrl)}, { method: 'POST', body: ${JSON.stringify(body)} })`], { stdio: 'ignore' });
      const held = await eventually(remote.held, (h) => h.length === 1);
      const cliExit = new Promise((r) => cli.once('exit', r));
      cli.kill('SIGKILL');
      await cliExit;
      const log = await eventually(remote.submits, (s) => s.submits[0]?.reply === 'lost');
      expect(log.submits).toEqual([expect.objectContaining({ requestId: held[0]!.requestId, reply: 'lost' })]);
      expect((await remote.jobs()).map((j) => j.request_id)).toEqual([held[0]!.requestId]);
      expect(await remote.held()).toEqual([]);

      const pending = fetch(modelUrl, { method: 'POST', body }).catch((e: unknown) => e);
      await eventually(remote.held, (h) => h.length === 1);
      expect(await sim.stop('SIGINT')).toBe(0);
      expect(await pending).toBeInstanceOf(Error);
    } finally {
      await sim.stop('SIGKILL');
    }
  });
});
