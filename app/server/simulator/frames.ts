import { DEFAULT_RESOLUTION, DEFAULT_SEED, resolutionSize, type SeedreamInput } from '../../model/seedream';
import { shrinkImage } from './canvas';
import type { SimJob } from './jobs';
import { decodeReference, parseDataUri } from './reference-image';
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

/** Thumbnails of a request's references: decoded data URIs, a labelled box for anything else. */
export function referenceThumbs(images: readonly string[]): ReferenceThumb[] {
  return images.map((uri, i) => {
    if (!uri.startsWith('data:')) return { kind: 'label', label: 'URL' };
    const data = parseDataUri(uri);
    const image = data.ok ? decodeReference(data.bytes) : undefined;
    return image ? { kind: 'image', image: shrinkImage(image, THUMB_MAX_SIDE) } : { kind: 'label', label: `REF ${i + 1}` };
  });
}

/**
 * Renders output frames on first request and keeps the most recent ones. Rendering is a pure
 * function of the job, so dropping a frame (or all frames of an expired job) loses nothing.
 */
export class FrameCache {
  private readonly frames = new Map<string, Uint8Array>();
  private readonly thumbs = new WeakMap<SimJob, ReferenceThumb[]>();

  /** PNG bytes of frame `n` (1-based) of a succeeded job. */
  png(job: SimJob, n: number): Uint8Array {
    const key = `${job.id}/${n}`;
    const hit = this.frames.get(key);
    if (hit) {
      this.frames.delete(key);
      this.frames.set(key, hit);
      return hit;
    }
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
    while (this.frames.size > MAX_CACHED_FRAMES) this.frames.delete(this.frames.keys().next().value!);
    return png;
  }
}
