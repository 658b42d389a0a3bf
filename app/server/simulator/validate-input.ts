import { readImageInfo } from '../../lib/image-info';
import {
  MAX_ASPECT_RATIO_EXCLUSIVE,
  MAX_IMAGE_BYTES,
  MAX_IMAGE_SIDE_EXCLUSIVE,
  MIN_ASPECT_RATIO_EXCLUSIVE,
  MIN_IMAGE_SIDE_EXCLUSIVE,
  zSeedreamInput,
  type SeedreamInput,
} from '../../model/seedream';
import { parseDataUri } from './reference-image';

/** One problem with the submitted input, FastAPI-style: where (`['body', 'images', 2]`) and what. */
export interface ValidationDetail {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/**
 * `error_code` the simulator puts on a 422. RunComfy documents no code for invalid input, so this
 * one is the simulator's own; clients should go by the HTTP status and `detail`.
 */
export const INVALID_INPUT_ERROR_CODE = 422001;
/** `error_code` on 400 answers (bad JSON, unknown model id): RunComfy's "unknown/malformed id". */
export const MALFORMED_ERROR_CODE = 400001;

export type SubmitCheck =
  { ok: true; input: SeedreamInput } | { ok: false; status: 400 | 422; body: { error_code: number; error_message: string; detail?: ValidationDetail[] } };

/** The model page's own messages for its image rules. */
const MSG = {
  size: 'File size must be less than 10 MB.',
  minSide: 'The uploaded image width and height must exceed 14 pixels.',
  maxSide: 'The uploaded image width and height must not exceed 6000 pixels.',
  aspect: 'The aspect ratio range should be 1:16 to 16:1.',
  format: 'Upload 1~14 images, must be jpeg or png.',
} as const;

/**
 * Checks a submit body as the real service would: JSON, then the input schema (zSeedreamInput),
 * then each `data:` reference's bytes (format by magic bytes, file size, pixel size, aspect).
 * HTTP(S) references are accepted unchecked: the simulator never fetches anything.
 * Deliberately independent of the API client's own pre-submit checks, so each can test the other.
 */
export function checkSubmitBody(raw: Uint8Array): SubmitCheck {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch {
    return { ok: false, status: 400, body: { error_code: MALFORMED_ERROR_CODE, error_message: 'The request body is not valid JSON.' } };
  }
  const parsed = zSeedreamInput.safeParse(json);
  const detail: ValidationDetail[] = parsed.success
    ? parsed.data.images.flatMap((uri, i) => checkImage(uri).map((msg) => ({ loc: ['body', 'images', i], msg, type: 'value_error' })))
    : parsed.error.issues.map((issue) => ({
        loc: ['body', ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))],
        msg: issue.message,
        type: issue.code,
      }));
  if (parsed.success && detail.length === 0) return { ok: true, input: parsed.data };
  const first = detail[0]!;
  return {
    ok: false,
    status: 422,
    body: { error_code: INVALID_INPUT_ERROR_CODE, error_message: `${first.loc.slice(1).join('.') || 'body'}: ${first.msg}`, detail },
  };
}

/** The problems of one reference (empty when it is acceptable). */
export function checkImage(uri: string): string[] {
  if (/^https?:\/\//i.test(uri)) {
    return URL.canParse(uri) ? [] : ['The image URL is not a valid URL.'];
  }
  if (!uri.startsWith('data:')) return ['An image must be a public http(s) URL or a data: URI.'];
  const data = parseDataUri(uri);
  if (!data.ok) return [`Unreadable data URI: ${data.reason}.`];
  const problems: string[] = [];
  if (data.bytes.length >= MAX_IMAGE_BYTES) problems.push(MSG.size);
  const info = readImageInfo(data.bytes);
  if (!info || info.mime === 'image/webp') return [...problems, MSG.format];
  const { width: w, height: h } = info;
  if (w <= MIN_IMAGE_SIDE_EXCLUSIVE || h <= MIN_IMAGE_SIDE_EXCLUSIVE) problems.push(MSG.minSide);
  if (w >= MAX_IMAGE_SIDE_EXCLUSIVE || h >= MAX_IMAGE_SIDE_EXCLUSIVE) problems.push(MSG.maxSide);
  const aspect = w / h;
  if (aspect <= MIN_ASPECT_RATIO_EXCLUSIVE || aspect >= MAX_ASPECT_RATIO_EXCLUSIVE) problems.push(MSG.aspect);
  return problems;
}
