import { afterEach } from 'vitest';
import type { PollPolicy } from '../../../app/api/poll-policy';
import { RunComfyClient, RunComfyProvider } from '../../../app/api/runcomfy';
import type { GenerationRequest, GenerationResult } from '../../../app/graph/generation';
import { JobLedger, MemoryLedgerStore } from '../../../app/ledger';
import { abortReason, realClock, type Clock } from '../../../app/lib/clock';
import { SEEDREAM_MODEL_ID } from '../../../app/model/seedream';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../../app/server/simulator';
import { MemoryAssetStore } from '../../fixtures/fake-run-context';
import { pngBytes } from './cli-fixtures';

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

/**
 * Virtual time for code that also does real loopback I/O (the ledger polling a simulator over
 * HTTP): `run` lets I/O finish in real time and jumps straight to the next timer whenever one is
 * pending. With one job followed, the only timers are the ledger's own waits, so each read
 * happens exactly when the ledger scheduled it.
 */
export class IoClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers: Timer[] = [];
  /** Every wait asked for, in order. */
  readonly sleeps: number[] = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const onAbort = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(abortReason(signal!));
      };
      const timer: Timer = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  /** Runs `promise` to its end: real time for I/O, virtual jumps for timers; at most `maxTicks` real ticks. */
  async run<T>(promise: Promise<T>, maxTicks = 20_000): Promise<T> {
    let settled = false;
    const tracked = promise.finally(() => {
      settled = true;
    });
    tracked.catch(() => undefined);
    for (let tick = 0; tick < maxTicks && !settled; tick++) {
      await new Promise((r) => setTimeout(r, 1));
      if (settled) break;
      const next = [...this.timers].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) continue;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = Math.max(this.t, next.at);
      next.fire();
    }
    if (!settled) throw new Error(`IoClock.run: still pending after ${maxTicks} ticks`);
    return tracked;
  }
}

const closing: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closing.splice(0).reverse()) await c();
});

/**
 * The ledger as the CLI builds it — JobLedger, RunComfyProvider, RunComfyClient — against an
 * in-process simulator, both on one IoClock, with memory storage. Timeouts of single requests
 * stay on the real clock (none fires in these tests).
 */
export async function ledgerOnSimulator(o: { sim?: SimulatorOptions; policy: (clock: IoClock) => PollPolicy }) {
  const clock = new IoClock();
  const sim: SimulatorHandle = await startSimulator({ clock, token: 'sim-token', outputScale: 1 / 32, workers: 4, ...o.sim });
  closing.push(() => sim.close());
  const assets = new MemoryAssetStore();
  const store = new MemoryLedgerStore();
  const client = new RunComfyClient({ baseUrl: sim.baseUrl, token: 'sim-token', clock: realClock });
  const provider = new RunComfyProvider({ client, assets, fetchReference: () => Promise.reject(new Error('no https references here')) });
  const ledger = new JobLedger({
    store,
    provider,
    assets,
    clock,
    wallNow: () => clock.now(),
    owner: { id: 'test' },
    policy: o.policy(clock),
    random: () => 0.5,
  });
  const ref = await assets.put(pngBytes(), { name: 'ref.png' });
  const request = (prompt: string, maxImages = 2): GenerationRequest => ({
    model: SEEDREAM_MODEL_ID,
    prompt,
    references: [ref],
    params: { maxImages, resolution: '2K', seed: 1 },
    maxOutputs: maxImages,
  });
  const generate = (prompt: string, maxImages = 2): Promise<GenerationResult> =>
    clock.run(ledger.generate(request(prompt, maxImages), { signal: new AbortController().signal, job: { nodeId: 'gen', cacheKey: `key:${prompt}` } }));
  return { clock, sim, store, assets, ledger, generate };
}
