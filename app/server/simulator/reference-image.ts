import { convertIndexedToRgb, decode as decodePng } from 'fast-png';
import { decode as decodeJpeg } from 'jpeg-js';
import { sniffImageMime } from '../../lib/image-info';

/** Pixels as 8-bit RGBA, row-major. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export type DataUri = { ok: true; mime: string; bytes: Uint8Array } | { ok: false; reason: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The bytes of a `data:<mime>;base64,<payload>` URI (the declared mime is kept, not trusted). */
export function parseDataUri(uri: string): DataUri {
  const comma = uri.indexOf(',');
  if (!uri.startsWith('data:') || comma < 0) return { ok: false, reason: 'not a data URI' };
  const meta = uri.slice(5, comma).split(';');
  if (!meta.includes('base64')) return { ok: false, reason: 'the data URI is not base64-encoded' };
  const payload = uri.slice(comma + 1).replace(/\s+/g, '');
  if (payload.length % 4 === 1 || !BASE64.test(payload)) return { ok: false, reason: 'the data URI holds invalid base64' };
  const buf = Buffer.from(payload, 'base64');
  return { ok: true, mime: meta[0] ?? '', bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) };
}

/**
 * Decodes a PNG or JPEG reference to RGBA for the thumbnail strip, or undefined when it cannot
 * (unsupported variant, truncated file, header-only test fixture): the frame then shows a box.
 */
export function decodeReference(bytes: Uint8Array): RgbaImage | undefined {
  try {
    const mime = sniffImageMime(bytes);
    if (mime === 'image/jpeg') {
      const img = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return { width: img.width, height: img.height, data: img.data };
    }
    if (mime === 'image/png') return pngToRgba(bytes);
  } catch {
    // Undecodable references are drawn as a labelled box; validation already judged the header.
  }
  return undefined;
}

function pngToRgba(bytes: Uint8Array): RgbaImage {
  const png = decodePng(bytes);
  const { width, height } = png;
  const n = width * height;
  const out = new Uint8Array(n * 4);
  if (png.palette) {
    const rgb = convertIndexedToRgb(png);
    const ch = rgb.length / n;
    for (let i = 0; i < n; i++) {
      out[i * 4] = rgb[i * ch]!;
      out[i * 4 + 1] = rgb[i * ch + 1]!;
      out[i * 4 + 2] = rgb[i * ch + 2]!;
      out[i * 4 + 3] = ch === 4 ? rgb[i * ch + 3]! : 255;
    }
    return { width, height, data: out };
  }
  const ch = png.channels;
  const sample = sampleReader(png.data, png.depth, width * ch);
  // No closure per pixel: a 12 MP reference is 12 million of them.
  const gray = ch <= 2;
  const alpha = ch === 2 ? 1 : ch === 4 ? 3 : -1;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      const k = x * ch;
      const first = sample(y, k);
      out[i * 4] = first;
      out[i * 4 + 1] = gray ? first : sample(y, k + 1);
      out[i * 4 + 2] = gray ? first : sample(y, k + 2);
      out[i * 4 + 3] = alpha < 0 ? 255 : sample(y, k + alpha);
    }
  }
  return { width, height, data: out };
}

/** Reads sample `k` of row `y` as 0–255, whatever the bit depth (1/2/4 are packed per row). */
function sampleReader(data: ArrayLike<number>, depth: number, samplesPerRow: number): (y: number, k: number) => number {
  if (depth === 8) return (y, k) => data[y * samplesPerRow + k]!;
  if (depth === 16) return (y, k) => data[y * samplesPerRow + k]! >> 8;
  const rowBytes = Math.ceil((samplesPerRow * depth) / 8);
  const max = (1 << depth) - 1;
  return (y, k) => {
    const bit = k * depth;
    const byte = data[y * rowBytes + (bit >> 3)]!;
    const v = (byte >> (8 - depth - (bit & 7))) & max;
    return Math.round((v * 255) / max);
  };
}
