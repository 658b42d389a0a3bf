import { decode as decodePng } from 'fast-png';
import { decode as decodeJpeg } from 'jpeg-js';
import { sniffImageMime } from './image-info';
import { checkJpegScans } from './jpeg-scan-check';

/** Whether an image's whole content decodes; `reason` says what is wrong, for people. */
export type DecodeCheck = { ok: true; width: number; height: number } | { ok: false; reason: string };

/**
 * Full decodes stop here: 6000 × 6000 px (36 MP), the most a reference may have, with room for a
 * 4:4:4 JPEG's coefficient blocks (about 12 bytes a pixel in jpeg-js) and its pixels.
 */
const MAX_DECODE_MP = 36;
const MAX_DECODE_MEMORY_MB = 1024;

/**
 * Decodes a PNG or JPEG whole, not just its header, so a file with a valid header but damaged or
 * cut-short image data is caught before it is paid for. PNG: fast-png with every chunk's CRC
 * checked. JPEG: every Huffman-coded block of a sequential file is read (see jpeg-scan-check);
 * progressive and other variants are decoded in full by jpeg-js (strict mode). Synchronous and
 * CPU-bound: a 36 MP PNG takes about a second.
 */
export function decodeCheck(bytes: Uint8Array): DecodeCheck {
  const mime = sniffImageMime(bytes);
  if (mime === 'image/png') return checkPng(bytes);
  if (mime === 'image/jpeg') return checkJpeg(bytes);
  return { ok: false, reason: 'it is not a PNG or JPEG file' };
}

function checkPng(bytes: Uint8Array): DecodeCheck {
  try {
    const png = decodePng(bytes, { checkCrc: true });
    return { ok: true, width: png.width, height: png.height };
  } catch (e) {
    return { ok: false, reason: `its image data is damaged or cut short (${describe(e)})` };
  }
}

function checkJpeg(bytes: Uint8Array): DecodeCheck {
  const scanned = checkJpegScans(bytes);
  if (scanned.ok === true) return { ok: true, width: scanned.width, height: scanned.height };
  if (scanned.ok === false) return scanned;
  try {
    const img = decodeJpeg(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      maxResolutionInMP: MAX_DECODE_MP,
      maxMemoryUsageInMB: MAX_DECODE_MEMORY_MB,
    });
    return { ok: true, width: img.width, height: img.height };
  } catch (e) {
    return { ok: false, reason: `its ${scanned.variant} JPEG data could not be decoded (${describe(e)})` };
  }
}

function describe(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
  return `${text.replace(/[:.\s]+$/, '')}${cause}`.slice(0, 160);
}
