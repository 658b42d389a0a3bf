import { createHash } from 'node:crypto';
import { DEFAULT_RESOLUTION, DEFAULT_SEED, resolutionSize, type SeedreamInput } from '../../model/seedream';
import { shrinkImage } from './canvas';
import type { SimJob } from './jobs';
import { decodeReference, parseDataUri, type RgbaImage } from './reference-image';
import { renderFramePng, type ReferenceThumb } from './render-png';

/** Longest side a reference thumbnail is kept at (the strip never draws them larger). */
const THUMB_MAX_SIDE = 256;
/** Rendered frames kept in memory; older ones are rendered again (same bytes) when asked. */
const MAX_CACHED_FRAMES = 64;

/** Pixel size of a job's frames: the resolution label's size × `outputScale`, at least 1 px. */
export function frameSize(input: SeedreamInput, outputScale: number): { width: number; height: number } {
  const { width, height } = resolutionSize(input.resolution ?? DEFAULT_RESOLUTION);
  return { width: Math.max(1, Math.round(width * outputScale)), height: Math.max(1, Math.round(height * outputScale)) };
}

/** Decoded reference thumbnails kept by content (≤ 256 KB each): jobs that share a reference decode it once. */
const MAX_CACHED_THUMBS = 32;
const thumbCache = new Map<string, RgbaImage | null>();

function thumbOf(bytes: Uint8Array): RgbaImage | undefined {
  const key = createHash('sha256').update(bytes).digest('base64');
  let thumb = thumbCache.get(key);
  if (thumb === undefined) {
    const image = decodeReference(bytes);
    thumb = image ? shrinkImage(image, THUMB_MAX_SIDE) : null;
  } else thumbCache.delete(key);
  thumbCache.set(key, thumb);
  while (thumbCache.size > MAX_CACHED_THUMBS) thumbCache.delete(thumbCache.keys().next().value!);
  return thumb ?? undefined;
}

/** Thumbnails of a request's references: decoded data URIs, a labelled box for anything else. */
export function referenceThumbs(images: readonly string[]): ReferenceThumb[] {
  return images.map((uri, i) => {
    if (!uri.startsWith('data:')) return { kind: 'label', label: 'URL' };
    const data = parseDataUri(uri);
    const image = data.ok ? thumbOf(data.bytes) : undefined;
    return image ? { kind: 'image', image } : { kind: 'label', label: `REF ${i + 1}` };
  });
}

/** Frames rendered ahead and not yet asked for, at most (the rest render when asked). */
const MAX_AHEAD_FRAMES = MAX_CACHED_FRAMES / 2;

/**
 * Renders output frames and keeps the most recent ones. Rendering is a pure function of the job,
 * so dropping a frame (or all frames of an expired job) loses nothing.
 *
 * A job's frames are rendered while it runs (`renderAhead`), one frame per turn of the event
 * loop so requests are answered in between, as a real service has its files ready when it says
 * `succeeded`. Otherwise a download paid the render (≈0.2 s for a 2048² frame), and jobs that
 * finish together queued their renders one after another on this one thread.
 */
export class FrameCache {
  private readonly frames = new Map<string, Uint8Array>();
  private readonly thumbs = new WeakMap<SimJob, ReferenceThumb[]>();
  /** Frames waiting to be rendered ahead, in order, and those rendered ahead but not yet asked for. */
  private readonly ahead: { job: SimJob; n: number }[] = [];
  private readonly unasked = new Set<string>();
  private pass: ReturnType<typeof setImmediate> | undefined;
  private stopped = false;

  /**
   * Renders a job's frames in the background (a job that will fail has none). At most 32 frames
   * wait or lie rendered unasked: to make room, the frame rendered ahead longest ago and never
   * asked for stops counting (its job was cancelled, expired or never collected; it stays cached
   * until pushed out); past the cap, frames render when asked.
   */
  renderAhead(job: SimJob): void {
    if (job.fault?.fail || this.stopped) return;
    for (let n = 1; n <= job.imageCount; n++) {
      if (this.ahead.length + this.unasked.size >= MAX_AHEAD_FRAMES) {
        const stale = this.unasked.values().next();
        if (stale.done) break;
        this.unasked.delete(stale.value);
      }
      this.ahead.push({ job, n });
    }
    if (this.ahead.length > 0) this.pass ??= setImmediate(() => this.renderNext());
  }

  /** Frames rendered ahead and not yet asked for, plus those still to render (for tests). */
  get aheadCount(): number {
    return this.ahead.length + this.unasked.size;
  }

  /** Stops rendering ahead (the simulator is stopping). */
  stop(): void {
    this.stopped = true;
    this.ahead.length = 0;
    if (this.pass) clearImmediate(this.pass);
    this.pass = undefined;
  }

  private renderNext(): void {
    this.pass = undefined;
    const next = this.ahead.shift();
    if (!next) return;
    const key = `${next.job.id}/${next.n}`;
    // A cancelled job has no files; one already asked for was rendered then.
    if (next.job.phase !== 'cancelled' && next.job.phase !== 'failed' && !this.frames.has(key)) {
      this.render(next.job, next.n, key);
      this.unasked.add(key);
    }
    if (this.ahead.length > 0) this.pass = setImmediate(() => this.renderNext());
  }

  /** PNG bytes of frame `n` (1-based) of a succeeded job. */
  png(job: SimJob, n: number): Uint8Array {
    const key = `${job.id}/${n}`;
    this.unasked.delete(key);
    const hit = this.frames.get(key);
    if (hit) {
      this.frames.delete(key);
      this.frames.set(key, hit);
      return hit;
    }
    return this.render(job, n, key);
  }

  private render(job: SimJob, n: number, key: string): Uint8Array {
    let thumbs = this.thumbs.get(job);
    if (!thumbs) this.thumbs.set(job, (thumbs = referenceThumbs(job.input.images)));
    const png = renderFramePng({
      ...job.frameSize,
      index: n - 1,
      count: job.imageCount,
      prompt: job.input.prompt,
      seed: job.input.seed ?? DEFAULT_SEED,
      resolution: job.input.resolution ?? DEFAULT_RESOLUTION,
      references: thumbs,
    });
    this.frames.set(key, png);
    while (this.frames.size > MAX_CACHED_FRAMES) {
      const oldest = this.frames.keys().next().value!;
      this.frames.delete(oldest);
      this.unasked.delete(oldest);
    }
    return png;
  }
}
