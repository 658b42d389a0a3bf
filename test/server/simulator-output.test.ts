import { decode as decodePng } from 'fast-png';
import { describe, expect, it } from 'vitest';
import type { SeedreamInput } from '../../app/model/seedream';
import { simulatedImageCount } from '../../app/server/simulator';
import { client, input, jpegDataUri, pngDataUri, startTestSimulator } from './simulator-fixtures';
import type { SimulatorHandle } from '../../app/server/simulator';
import type { FakeClock } from '../fixtures/fake-clock';

const urls = (n: number) => Array<string>(n).fill('https://example.com/ref.png');

/** Submits, lets the job finish, and downloads every frame. */
async function framesOf(sim: SimulatorHandle, clock: FakeClock, body: SeedreamInput): Promise<Uint8Array[]> {
  const c = client(sim);
  const submitted = await c.submit(body);
  expect(submitted.status).toBe(200);
  await clock.advance(60_000);
  const result = await c.result(submitted.body.request_id as string);
  expect(result.body.status).toBe('succeeded');
  return Promise.all(
    (result.body.output.images as string[]).map(async (u) => {
      const res = await fetch(u);
      expect(res.status).toBe(200);
      return new Uint8Array(await res.arrayBuffer());
    }),
  );
}

describe('simulatedImageCount', () => {
  it.each([
    ['the number the prompt asks for', input({ prompt: 'Generate 2 images of a cat', sequential_image_generation_options: 4 }), 2],
    ['a number word', input({ prompt: 'make three frames of a cat', sequential_image_generation_options: 4 }), 3],
    ['the maximum when the prompt names none', input({ prompt: 'A cat on a roof', sequential_image_generation_options: 3 }), 3],
    ['never more than the maximum', input({ prompt: 'Generate 9 images of a cat', sequential_image_generation_options: 4 }), 4],
    ['at most 15 − references', input({ prompt: 'A cat', images: urls(12), sequential_image_generation_options: 15 }), 3],
    ['one with 14 references', input({ prompt: 'Generate 5 images', images: urls(14), sequential_image_generation_options: 5 }), 1],
  ])('returns %s', (_label, body, n) => {
    expect(simulatedImageCount(body)).toBe(n);
  });
});

describe('simulator output frames', () => {
  it('returns as many frames as the count rule says, sized by resolution × outputScale', async () => {
    const { sim, clock } = await startTestSimulator();
    const frames = await framesOf(sim, clock, input({ prompt: 'Generate 3 images', resolution: '2560x1440 (16:9)', sequential_image_generation_options: 5 }));
    expect(frames).toHaveLength(3);
    for (const f of frames) expect(decodePng(f)).toMatchObject({ width: 160, height: 90 });
  });

  it('renders 2K as a 2048 square scaled, and the default resolution when none is given', async () => {
    const { sim, clock } = await startTestSimulator({ outputScale: 1 / 32 });
    const [k2] = await framesOf(sim, clock, input({ resolution: '2K' }));
    expect(decodePng(k2!)).toMatchObject({ width: 64, height: 64 });
    const [plain] = await framesOf(sim, clock, input());
    expect(decodePng(plain!)).toMatchObject({ width: 64, height: 64 });
  });

  it('produces the same bytes for the same input and seed, on another simulator too', async () => {
    const body = input({ seed: 7 });
    const a = await startTestSimulator();
    const b = await startTestSimulator();
    const first = await framesOf(a.sim, a.clock, body);
    const second = await framesOf(b.sim, b.clock, body);
    expect(Buffer.from(first[0]!).equals(Buffer.from(second[0]!))).toBe(true);
    expect(Buffer.from(first[1]!).equals(Buffer.from(second[1]!))).toBe(true);
    expect(Buffer.from(first[0]!).equals(Buffer.from(first[1]!))).toBe(false);
    const reseeded = await framesOf(a.sim, a.clock, input({ seed: 8 }));
    expect(Buffer.from(first[0]!).equals(Buffer.from(reseeded[0]!))).toBe(false);
  });

  it('draws PNG and JPEG references into the thumbnail strip', async () => {
    const { sim, clock } = await startTestSimulator({ outputScale: 1 / 8 });
    const red: [number, number, number] = [250, 0, 0];
    const blue: [number, number, number] = [0, 0, 250];
    const [frame] = await framesOf(sim, clock, input({ images: [pngDataUri(40, 30, red), jpegDataUri(32, 32, blue), 'https://example.com/x.png'] }));
    const png = decodePng(frame!);
    const near = (rgb: number[], i: number) => rgb.every((v, c) => Math.abs(png.data[i + c]! - v) < 24);
    let reds = 0;
    let blues = 0;
    for (let i = 0; i < png.data.length; i += png.channels) {
      if (near(red, i)) reds++;
      if (near(blue, i)) blues++;
    }
    expect(reds).toBeGreaterThan(100);
    expect(blues).toBeGreaterThan(100);
  });

  it('has no files before the job succeeds nor past the last frame', async () => {
    const { sim, clock } = await startTestSimulator();
    const c = client(sim);
    const id = (await c.submit(input({ prompt: 'Generate 2 images' }))).body.request_id as string;
    expect((await fetch(`${sim.url}/files/${id}/1.png`)).status).toBe(404);
    await clock.advance(60_000);
    expect((await fetch(`${sim.url}/files/${id}/2.png`)).status).toBe(200);
    expect((await fetch(`${sim.url}/files/${id}/3.png`)).status).toBe(404);
    expect((await fetch(`${sim.url}/files/${id}/0.png`)).status).toBe(404);
  });

  it('builds output and request URLs from publicUrl when given', async () => {
    const { sim, clock } = await startTestSimulator({ publicUrl: 'http://sim.example:9000/' });
    const c = client(sim);
    const submitted = await c.submit();
    expect(submitted.body.status_url).toMatch(/^http:\/\/sim\.example:9000\/v1\/requests\//);
    await clock.advance(60_000);
    const result = await c.result(submitted.body.request_id as string);
    expect(result.body.output.images[0]).toMatch(/^http:\/\/sim\.example:9000\/files\/.+\/1\.png$/);
  });
});
