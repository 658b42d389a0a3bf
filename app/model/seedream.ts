import { z } from 'zod';

/**
 * Facts about ByteDance Seedream 4.5 Edit Sequential on RunComfy's Model API, in one place.
 * Nodes, the API client and the simulator all read these; nothing else restates them.
 * Source: ../shared/runcomfy-model-api.md (the contract) and the model page in shared/seed.
 */
export const SEEDREAM_MODEL_ID = 'bytedance/seedream-4-5/edit-sequential';

/** 1–14 reference images per request. */
export const MIN_REFERENCE_IMAGES = 1;
export const MAX_REFERENCE_IMAGES = 14;
/** `sequential_image_generation_options`: the maximum number of images to generate, 1–15. */
export const MIN_OUTPUT_IMAGES = 1;
export const MAX_OUTPUT_IMAGES = 15;
/** Upstream rule: references + generated images ≤ 15. */
export const MAX_TOTAL_IMAGES = 15;
/** The prompt must be shorter than 600 characters (1–599). */
export const MAX_PROMPT_CHARS = 599;
/** Each reference file must be under 10 MB, read as decimal megabytes: at most 9,999,999 bytes. */
export const MAX_IMAGE_BYTES = 10_000_000;
/** Width and height each strictly greater than 14 px and strictly less than 6000 px. */
export const MIN_IMAGE_SIDE_EXCLUSIVE = 14;
export const MAX_IMAGE_SIDE_EXCLUSIVE = 6000;
/**
 * Aspect ratio width/height strictly between 1/16 and 16. The model page's schema says 0.625;
 * that is a typo for 0.0625 (its own message says "1:16 to 16:1", and the upstream range is
 * [1/16, 16]).
 */
export const MIN_ASPECT_RATIO_EXCLUSIVE = 1 / 16;
export const MAX_ASPECT_RATIO_EXCLUSIVE = 16;
/** Request bodies (data-URI references included) stay at or under 64 MiB. */
export const MAX_REQUEST_BODY_BYTES = 64 * 1024 * 1024;
/** Accepted reference formats, checked by content, not by file name. */
export const ACCEPTED_IMAGE_MIME = ['image/png', 'image/jpeg'] as const;

/** Default seed used by RunComfy's playground. The model may ignore it. */
export const DEFAULT_SEED = 54519385;
/**
 * Seed range the editor accepts. The model page only says "integer"; 0..2^31−1 fits a signed
 * 32-bit int everywhere (ComfyUI's built-in Seedream node uses the same range), so a workflow
 * made here never holds a seed some backend would overflow or reject. -1 ("random") is left out
 * on purpose: the seed is part of the cache key, so a new variation is an explicit change.
 */
export const MIN_SEED = 0;
export const MAX_SEED = 2 ** 31 - 1;
export const DEFAULT_MAX_IMAGES = 3;

/** The 11 resolution labels, sent verbatim as the `resolution` field. */
export const RESOLUTIONS = [
  '2K',
  '4K',
  '2048x2048 (1:1)',
  '2304x1728 (4:3)',
  '1728x2304 (3:4)',
  '2560x1440 (16:9)',
  '1440x2560 (9:16)',
  '2496x1664 (3:2)',
  '1664x2496 (2:3)',
  '3024x1296 (21:9)',
  '4096x4096 (1:1)',
] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
export const DEFAULT_RESOLUTION: Resolution = '2048x2048 (1:1)';
export const zResolution = z.enum(RESOLUTIONS);

/**
 * Pixel size of a resolution label. `2K`/`4K` let the model pick the shape; we use the square
 * of that class (what the simulator renders and what size estimates assume).
 */
export function resolutionSize(label: Resolution): { width: number; height: number } {
  if (label === '2K') return { width: 2048, height: 2048 };
  if (label === '4K') return { width: 4096, height: 4096 };
  const m = /^(\d+)x(\d+)/.exec(label);
  if (!m) throw new Error(`Unparseable resolution label: ${label}`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

/**
 * The wire input object of a submit, exactly as RunComfy expects it for this model.
 * Field names differ between Seedream versions (4.0 calls the prompt `text`), so they live here.
 * Image content rules (format, bytes, pixel size, aspect) need the bytes and are checked by the
 * API client before submit; this schema checks the shape.
 */
export const zSeedreamInput = z.object({
  images: z
    .array(z.string().min(1))
    .min(MIN_REFERENCE_IMAGES, `at least ${MIN_REFERENCE_IMAGES} reference image is required`)
    .max(MAX_REFERENCE_IMAGES, `at most ${MAX_REFERENCE_IMAGES} reference images are allowed`),
  prompt: z
    .string()
    .refine((s) => s.trim().length > 0, 'the prompt is empty')
    .refine((s) => s.length <= MAX_PROMPT_CHARS, `the prompt must be under 600 characters`),
  sequential_image_generation_options: z.number().int().min(MIN_OUTPUT_IMAGES).max(MAX_OUTPUT_IMAGES),
  resolution: zResolution.optional(),
  seed: z.number().int().optional(),
});
export type SeedreamInput = z.infer<typeof zSeedreamInput>;

const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  a: 1,
  an: 1,
  single: 1,
};

/**
 * The number of images a prompt asks for ("Generate 4 images…", "make three frames", "a
 * sequence of 6 panels"), or undefined when it names none. The model reads the count from the
 * prompt, so the editor warns when it differs from `maxImages`, and the simulator obeys it.
 */
export function promptImageCount(prompt: string): number | undefined {
  const re =
    /\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|a|an|single)\s+(?:(?!(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen)\b)[a-z]+(?:-[a-z]+)?\s+){0,3}(images?|pictures?|frames?|panels?|photos?|shots?|scenes?|illustrations?|renders?|variations?|views?|pages?)\b/i;
  const m = re.exec(prompt);
  if (!m) return undefined;
  const word = m[1]!.toLowerCase();
  // "a"/"an" only count when the noun is singular ("an image"), never "a few images".
  if ((word === 'a' || word === 'an') && /s$/i.test(m[2]!)) return undefined;
  const n = /^\d+$/.test(word) ? Number(word) : NUMBER_WORDS[word];
  return n !== undefined && n >= 1 ? n : undefined;
}
