import { imageSize } from 'image-size';
import type { Issue } from '../../graph/issues';
import { readImageInfo } from '../../lib/image-info';
import { formatPath } from '../../lib/zod-format';
import {
  MAX_ASPECT_RATIO_EXCLUSIVE,
  MAX_IMAGE_BYTES,
  MAX_IMAGE_SIDE_EXCLUSIVE,
  MAX_OUTPUT_IMAGES,
  MAX_PROMPT_CHARS,
  MAX_REFERENCE_IMAGES,
  MAX_REQUEST_BODY_BYTES,
  MIN_ASPECT_RATIO_EXCLUSIVE,
  MIN_IMAGE_SIDE_EXCLUSIVE,
  MIN_OUTPUT_IMAGES,
  MIN_REFERENCE_IMAGES,
  RESOLUTIONS,
  zSeedreamInput,
  type SeedreamInput,
} from '../../model/seedream';
import { InvalidInputError } from '../errors';

/**
 * The contract's input rules, checked before anything is submitted (a submit is paid). Formats
 * are read from the bytes (never a file name) with image-size, via app/lib/image-info; the whole
 * image is decoded by app/lib/decode-image (`checkImagePixels`), so damaged files are refused too.
 */

export type ReferenceMime = 'image/png' | 'image/jpeg';
export interface CheckedImage {
  mime: ReferenceMime;
  width: number;
  height: number;
  byteLength: number;
}

/** Where an image sits in the request, for messages: `images[1]`, "image 2 (cat.png)". */
export interface ImagePlace {
  field: string;
  label: string;
}

export function imagePlace(index: number, name?: string): ImagePlace {
  return { field: `images[${index}]`, label: `Image ${index + 1}${name ? ` (${name})` : ''}` };
}

/** Decimal megabytes, as the contract's "under 10 MB" means them. */
const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
const mib = (n: number) => `${(n / 2 ** 20).toFixed(2)} MiB`;
const aspect = (w: number, h: number) => (w >= h ? `${(w / h).toFixed(2)}:1` : `1:${(h / w).toFixed(2)}`);

/** Format, byte size, pixel size and aspect rules for one reference image's bytes. */
export function checkImageBytes(bytes: Uint8Array, place: ImagePlace): { image?: CheckedImage; issues: Issue[] } {
  const bad = (code: string, message: string): Issue => ({ severity: 'error', code, field: place.field, message: `${place.label}: ${message}` });
  const info = readImageInfo(bytes);
  if (!info || info.mime === 'image/webp') {
    const kind = info ? 'WEBP' : otherFormat(bytes);
    const what = kind ? `is a ${kind} image` : 'is not a readable JPEG or PNG image';
    return { issues: [bad('image-format', `${what}; Seedream accepts only JPEG or PNG. Convert it to PNG or JPEG.`)] };
  }
  const { mime, width, height } = info;
  const issues: Issue[] = [];
  if (bytes.byteLength >= MAX_IMAGE_BYTES) {
    issues.push(
      bad(
        'image-too-large',
        `is ${mb(bytes.byteLength)} (${bytes.byteLength} bytes); each image must be smaller than ${MAX_IMAGE_BYTES / 1e6} MB (${MAX_IMAGE_BYTES} bytes). Compress or downscale it.`,
      ),
    );
  }
  const sideOk = (s: number) => s > MIN_IMAGE_SIDE_EXCLUSIVE && s < MAX_IMAGE_SIDE_EXCLUSIVE;
  if (!sideOk(width) || !sideOk(height)) {
    issues.push(
      bad(
        'image-size',
        `is ${width}×${height} px; width and height must each be more than ${MIN_IMAGE_SIDE_EXCLUSIVE} and less than ${MAX_IMAGE_SIDE_EXCLUSIVE} px. Resize it.`,
      ),
    );
  }
  const ratio = width / height;
  if (!(ratio > MIN_ASPECT_RATIO_EXCLUSIVE && ratio < MAX_ASPECT_RATIO_EXCLUSIVE)) {
    issues.push(
      bad('image-aspect', `is ${width}×${height} px (aspect ${aspect(width, height)}); the aspect ratio must be strictly between 1:16 and 16:1. Crop it.`),
    );
  }
  return { image: { mime, width, height, byteLength: bytes.byteLength }, issues };
}

/**
 * What decoding gave, by the SHA-256 of the bytes: a batch sends the same reference with every
 * row (checked when the rows are, and again before each submit), and decoding the largest image
 * costs up to about a second. Same bytes, same answer; the oldest are forgotten first.
 */
const verdicts = new Map<string, { ok: true } | { ok: false; reason: string }>();
const MAX_VERDICTS = 512;

/**
 * Decodes the whole image (not only its header): a file whose header is fine but whose pixel data
 * is damaged or cut short is refused here rather than paid for. Run it after `checkImageBytes`
 * passed (it costs up to about a second for the largest files). Given the bytes' SHA-256, an
 * image decoded before is not decoded again. The decoders load on first use, so the editor's
 * first screen does not carry them.
 */
export async function checkImagePixels(bytes: Uint8Array, place: ImagePlace, sha256?: string): Promise<Issue[]> {
  let decoded = sha256 === undefined ? undefined : verdicts.get(sha256);
  if (!decoded) {
    const { decodeCheck } = await import('../../lib/decode-image');
    const d = decodeCheck(bytes);
    decoded = d.ok ? { ok: true } : { ok: false, reason: d.reason };
    if (sha256 !== undefined) {
      verdicts.set(sha256, decoded);
      if (verdicts.size > MAX_VERDICTS) verdicts.delete(verdicts.keys().next().value!);
    }
  }
  if (decoded.ok) return [];
  return [
    {
      severity: 'error',
      code: 'image-damaged',
      field: place.field,
      message: `${place.label}: cannot be decoded: ${decoded.reason}. Open and re-save it (or export it again) as PNG or JPEG.`,
    },
  ];
}

/** The name of a format image-size recognises but Seedream does not (GIF, BMP…), if any. */
function otherFormat(bytes: Uint8Array): string | undefined {
  try {
    return imageSize(bytes).type?.toUpperCase();
  } catch {
    return undefined;
  }
}

/** Bytes as a `data:image/…;base64,` URI, the form RunComfy's own plugin sends local files in. */
export function toDataUri(bytes: Uint8Array, mime: ReferenceMime): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:${mime};base64,${btoa(binary)}`;
}

/** The declared type and bytes of a base64 data URI, or undefined when it is not one. */
export function decodeDataUri(uri: string): { mime: string; bytes: Uint8Array } | undefined {
  const m = /^data:([^;,]*)(?:;[^;,]*)*;base64,/i.exec(uri);
  if (!m) return undefined;
  let binary: string;
  try {
    binary = atob(uri.slice(m[0].length));
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return { mime: m[1]!.toLowerCase(), bytes };
}

/** One `images` entry: an https URL (sent as is) or a JPEG/PNG data URI (checked like a file). */
export function checkImageEntry(entry: string, place: ImagePlace): Issue[] {
  const bad = (code: string, message: string): Issue[] => [{ severity: 'error', code, field: place.field, message: `${place.label}: ${message}` }];
  if (/^data:/i.test(entry)) {
    const decoded = decodeDataUri(entry);
    if (!decoded) return bad('image-format', 'is a data URI that is not valid base64. Send the file again.');
    const { image, issues } = checkImageBytes(decoded.bytes, place);
    const declared = decoded.mime === 'image/jpg' ? 'image/jpeg' : decoded.mime;
    if (image && declared !== image.mime) {
      issues.push(...bad('image-format', `is declared as ${decoded.mime || 'no type'} but its bytes are ${image.mime}. Declare it as ${image.mime}.`));
    }
    return issues;
  }
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return bad('image-url', `"${entry.slice(0, 80)}" is neither an https URL nor a data URI.`);
  }
  if (url.protocol !== 'https:')
    return bad('image-url', `${url.protocol}// URLs are not accepted; RunComfy fetches reference URLs over https only. Use an https URL or a local file.`);
  if (url.username || url.password) return bad('image-url', 'the URL contains a user name or password; use a public or pre-signed https URL.');
  return [];
}

const FIELD_RULES: Readonly<Record<string, string>> = {
  images: `${MIN_REFERENCE_IMAGES}–${MAX_REFERENCE_IMAGES} reference images (JPEG or PNG, as https URLs or data URIs)`,
  prompt: `1–${MAX_PROMPT_CHARS} characters saying what to make ("Generate 3 images of …")`,
  sequential_image_generation_options: `an integer from ${MIN_OUTPUT_IMAGES} to ${MAX_OUTPUT_IMAGES}: the maximum number of images to generate`,
  resolution: `one of ${RESOLUTIONS.map((r) => `"${r}"`).join(', ')}`,
  seed: 'an integer',
};

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return value.length > 40 ? `${value.length} characters` : JSON.stringify(value);
  if (Array.isArray(value)) return `${value.length} item${value.length === 1 ? '' : 's'}`;
  return typeof value === 'object' && value !== null ? 'an object' : String(value);
}

/**
 * Every contract rule for a submit body: the model's shape (zSeedreamInput) plus each image's
 * header rules (data URIs decoded from base64; https URLs only by form). `labels` name the images
 * in messages (file names). Issues are all errors.
 */
export function checkSeedreamInput(input: unknown, labels: readonly (string | undefined)[] = []): { input?: SeedreamInput; issues: Issue[] } {
  const shape = checkInputShape(input);
  const issues = [...shape.issues];
  const images = (input as { images?: unknown } | null)?.images;
  if (Array.isArray(images)) {
    images.forEach((entry, index) => {
      if (typeof entry === 'string' && entry !== '') issues.push(...checkImageEntry(entry, imagePlace(index, labels[index])));
    });
  }
  return issues.length === 0 && shape.input ? { input: shape.input, issues } : { issues };
}

/** The model's shape rules alone (zSeedreamInput), each issue naming its field and the rule. */
export function checkInputShape(input: unknown): { input?: SeedreamInput; issues: Issue[] } {
  const issues: Issue[] = [];
  const parsed = zSeedreamInput.safeParse(input);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const top = String(i.path[0] ?? '');
      const value = i.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), input);
      const rule = FIELD_RULES[top];
      const field = formatPath(i.path) || 'input';
      issues.push({
        severity: 'error',
        code: 'input-invalid',
        field,
        message: `${field}: ${i.message} (got ${describeValue(value)})${rule && i.path.length === 1 ? `; expected ${rule}` : ''}.`,
      });
    }
  }
  return parsed.success ? { input: parsed.data, issues } : { issues };
}

/** The 64 MiB request body cap. */
export function checkBodySize(byteLength: number): Issue[] {
  if (byteLength <= MAX_REQUEST_BODY_BYTES) return [];
  return [
    {
      severity: 'error',
      code: 'body-too-large',
      field: 'images',
      message: `The request would be ${mib(byteLength)}; RunComfy accepts at most ${mib(MAX_REQUEST_BODY_BYTES)}. Use fewer or smaller images, or https URLs.`,
    },
  ];
}

/** The error for a set of broken rules: says nothing was submitted, and lists every rule. */
export function inputError(issues: Issue[]): InvalidInputError {
  const n = issues.length;
  const list = issues.map((i) => i.message).join(' ');
  return new InvalidInputError(`Nothing was submitted: ${n} input rule${n === 1 ? ' is' : 's are'} broken. ${list}`, issues);
}
