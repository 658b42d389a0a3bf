import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FrameCache, referenceThumbs } from '../../app/server/simulator/frames';
import type { JobFault } from '../../app/server/simulator/faults';
import type { SimJob } from '../../app/server/simulator/jobs';
import { renderFramePng } from '../../app/server/simulator/render-png';
import type * as RenderPng from '../../app/server/simulator/render-png';
import { decodeReference } from '../../app/server/simulator/reference-image';
import type * as ReferenceImage from '../../app/server/simulator/reference-image';
import { encode } from 'fast-png';
import { input } from './simulator-fixtures';

vi.mock('../../app/server/simulator/render-png', async (importOriginal) => {
  const real = await importOriginal<typeof RenderPng>();
  return { ...real, renderFramePng: vi.fn(real.renderFramePng) };
});
vi.mock('../../app/server/simulator/reference-image', async (importOriginal) => {
  const real = await importOriginal<typeof ReferenceImage>();
  return { ...real, decodeReference: vi.fn(real.decodeReference) };
});
const renders = vi.mocked(renderFramePng);
const decodes = vi.mocked(decodeReference);

let seq = 0;
function job(imageCount: number, extra: Partial<SimJob> = {}): SimJob {
  return {
    id: `job-${++seq}`,
    seq,
    input: input({ prompt: `Generate ${imageCount} images`, sequential_image_generation_options: imageCount }),
    imageCount,
    frameSize: { width: 16, height: 12 },
    submittedAt: 0,
    readyAt: 0,
    runMs: 1000,
    fault: undefined,
    phase: 'running',
    activeReads: { status: 0, result: 0 },
    ...extra,
  };
}

/** Lets the background renders run (one frame per turn): more turns than any test has frames. */
async function settle(): Promise<void> {
  for (let i = 0; i < 100; i++) await nextTurn();
}

afterEach(() => {
  renders.mockClear();
  decodes.mockClear();
});

describe('FrameCache rendering ahead', () => {
  it('renders a running job’s frames one per turn of the event loop, so a download finds them ready', async () => {
    const cache = new FrameCache();
    const j = job(3);
    cache.renderAhead(j);
    expect(renders).toHaveBeenCalledTimes(0); // nothing on the submit's own turn
    await nextTurn();
    expect(renders).toHaveBeenCalledTimes(1); // one frame, then other requests get their turn
    await settle();
    expect(renders).toHaveBeenCalledTimes(3);
    const bytes = [1, 2, 3].map((n) => cache.png(j, n));
    expect(renders).toHaveBeenCalledTimes(3); // served from memory, not rendered again
    expect(cache.aheadCount).toBe(0);
    // The same bytes as a render on request (rendering is a pure function of the job).
    const fresh = new FrameCache();
    expect([1, 2, 3].map((n) => Buffer.from(fresh.png(j, n)).equals(Buffer.from(bytes[n - 1]!)))).toEqual([true, true, true]);
  });

  it('renders nothing ahead for a job that will fail, nor for one cancelled before its turn', async () => {
    const cache = new FrameCache();
    cache.renderAhead(job(2, { fault: { kind: 'job', fail: true } satisfies JobFault }));
    const cancelled = job(2);
    cache.renderAhead(cancelled);
    cancelled.phase = 'cancelled';
    await settle();
    expect(renders).toHaveBeenCalledTimes(0);
    expect(cache.aheadCount).toBe(0);
  });

  it('keeps at most 32 frames rendered ahead and not yet asked for; the rest render when asked', async () => {
    const cache = new FrameCache();
    const jobs = Array.from({ length: 3 }, () => job(15));
    for (const j of jobs) cache.renderAhead(j);
    await settle();
    expect(renders).toHaveBeenCalledTimes(32);
    expect(cache.aheadCount).toBe(32);
    // Asking for a job's frames frees room: the next job renders ahead again.
    for (let n = 1; n <= 15; n++) cache.png(jobs[0]!, n);
    expect(renders).toHaveBeenCalledTimes(32);
    expect(cache.aheadCount).toBe(17);
    cache.renderAhead(job(4));
    await settle();
    expect(renders).toHaveBeenCalledTimes(36);
    // A frame past the cap renders on request, once.
    cache.png(jobs[2]!, 15);
    cache.png(jobs[2]!, 15);
    expect(renders).toHaveBeenCalledTimes(37);
  });

  it('lets frames nobody asked for stop counting when new jobs come, so the cap never stays full', async () => {
    const cache = new FrameCache();
    // 32 frames of jobs whose files are never fetched (cancelled after running, expired, a client gone).
    for (let i = 0; i < 4; i++) cache.renderAhead(job(8));
    await settle();
    expect(renders).toHaveBeenCalledTimes(32);
    const next = job(3);
    cache.renderAhead(next);
    await settle();
    expect(renders).toHaveBeenCalledTimes(35);
    expect(cache.aheadCount).toBe(32);
    for (let n = 1; n <= 3; n++) cache.png(next, n);
    expect(renders).toHaveBeenCalledTimes(35); // ready when asked
  });

  it('drops the renders still to come when the simulator stops, and takes no new ones', async () => {
    const cache = new FrameCache();
    cache.renderAhead(job(5));
    await nextTurn();
    cache.stop();
    cache.renderAhead(job(2));
    await settle();
    expect(renders).toHaveBeenCalledTimes(1);
    expect(cache.aheadCount).toBe(1);
  });
});

describe('referenceThumbs', () => {
  const pngUri = (shade: number) =>
    `data:image/png;base64,${Buffer.from(encode({ width: 20, height: 10, data: new Uint8Array(600).fill(shade), channels: 3 })).toString('base64')}`;

  it('decodes a reference once for every job that shares it (kept by content), and each new one once', () => {
    const a = pngUri(10);
    const first = referenceThumbs([a, 'https://example.com/x.png']);
    expect(first).toMatchObject([
      { kind: 'image', image: { width: 20, height: 10 } },
      { kind: 'label', label: 'URL' },
    ]);
    // The same bytes in another request (a new string): not decoded again, the same thumbnail.
    const again = referenceThumbs([`${a}`]);
    expect(again[0]).toEqual(first[0]);
    expect(decodes).toHaveBeenCalledTimes(1);
    referenceThumbs([pngUri(200)]);
    expect(decodes).toHaveBeenCalledTimes(2);
  });

  it('labels a reference it cannot decode, also when it comes again', () => {
    const bad = `data:image/png;base64,${Buffer.from('not an image at all').toString('base64')}`;
    expect(referenceThumbs([bad])).toEqual([{ kind: 'label', label: 'REF 1' }]);
    expect(referenceThumbs(['x', bad])).toEqual([
      { kind: 'label', label: 'URL' },
      { kind: 'label', label: 'REF 2' },
    ]);
    expect(decodes).toHaveBeenCalledTimes(1);
  });
});
