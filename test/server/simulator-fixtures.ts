import { encode as encodePng } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { afterEach } from 'vitest';
import type { SeedreamInput } from '../../app/model/seedream';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../app/server/simulator';
import { FakeClock } from '../fixtures/fake-clock';

/** A solid-colour RGB PNG as a data URI. */
export function pngDataUri(width: number, height: number, rgb: [number, number, number] = [200, 40, 40]): string {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  return `data:image/png;base64,${Buffer.from(encodePng({ width, height, data, channels: 3, depth: 8 })).toString('base64')}`;
}

/** A solid-colour JPEG as a data URI. */
export function jpegDataUri(width: number, height: number, rgb: [number, number, number] = [30, 60, 220]): string {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set([...rgb, 255], i);
  return `data:image/jpeg;base64,${encodeJpeg({ width, height, data }, 95).data.toString('base64')}`;
}

/**
 * A PNG signature and IHDR only (plus zero padding up to `totalBytes`): enough for header-based
 * checks of huge sizes without encoding millions of pixels. It cannot be decoded.
 */
export function headerOnlyPng(width: number, height: number, totalBytes = 33): Uint8Array {
  const bytes = new Uint8Array(Math.max(33, totalBytes));
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  bytes.set([8, 2, 0, 0, 0], 24);
  return bytes;
}

export const dataUri = (bytes: Uint8Array, mime = 'image/png') => `data:${mime};base64,${Buffer.from(bytes).toString('base64')}`;

export function input(overrides: Partial<SeedreamInput> = {}): SeedreamInput {
  return {
    images: [pngDataUri(32, 32)],
    prompt: 'Generate 2 images of a lighthouse at dusk',
    sequential_image_generation_options: 4,
    ...overrides,
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answers of every shape
  body: any;
}

/** A tiny fetch wrapper against one simulator (JSON in, JSON out). */
export function client(sim: SimulatorHandle, token?: string) {
  const headers = (extra: Record<string, string> = {}) => ({
    accept: 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...extra,
  });
  const read = async (res: Response): Promise<Answer> => {
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body };
  };
  const abs = (path: string) => (path.startsWith('http') ? path : `${sim.baseUrl}${path}`);
  return {
    get: async (path: string) => read(await fetch(abs(path), { headers: headers() })),
    post: async (path: string, body?: unknown) =>
      read(
        await fetch(abs(path), {
          method: 'POST',
          headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        }),
      ),
    submit: async (body: unknown = input()) => {
      const res = await fetch(sim.modelUrl, { method: 'POST', headers: headers({ 'content-type': 'application/json' }), body: JSON.stringify(body) });
      return read(res);
    },
    status: async (id: string) => read(await fetch(abs(`/requests/${id}/status`), { headers: headers() })),
    result: async (id: string, includeCost = false) =>
      read(await fetch(abs(`/requests/${id}/result${includeCost ? '?include_cost=true' : ''}`), { headers: headers() })),
    cancel: async (id: string) => read(await fetch(abs(`/requests/${id}/cancel`), { method: 'POST', headers: headers() })),
  };
}

export const EPOCH = Date.UTC(2025, 0, 1);

/**
 * Starts a simulator on a FakeClock with tiny frames, stopped after the test. Default timings:
 * 1 worker, queue 100 ms, run 1000 ms + 500 ms per image.
 */
export async function startTestSimulator(options: SimulatorOptions = {}): Promise<{ sim: SimulatorHandle; clock: FakeClock }> {
  const clock = new FakeClock();
  const sim = await startSimulator({
    clock,
    epochMs: EPOCH,
    outputScale: 1 / 16,
    workers: 1,
    queueDelayMs: 100,
    baseMs: 1000,
    perImageMs: 500,
    ...options,
  });
  running.push(sim);
  return { sim, clock };
}

const running: SimulatorHandle[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

/** Polls `cond` (real time, bounded) — for waiting until a request reached the server. */
export async function waitFor(cond: () => boolean, maxMs = 2000): Promise<void> {
  const end = Date.now() + maxMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('waitFor: condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
