import { encode } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';

/**
 * Image bytes for tests. Headers are built by hand so any pixel size (5999 px, 10 MB) costs
 * nothing; `realPng` is a complete decodable file for download tests.
 */

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function padTo(head: Uint8Array, totalBytes: number | undefined): Uint8Array {
  if (totalBytes === undefined || totalBytes <= head.length) return head;
  const out = new Uint8Array(totalBytes);
  out.set(head);
  return out;
}

/** A PNG signature + IHDR + IEND (valid CRCs), zero-padded to `totalBytes`. */
export function pngHeader(width: number, height: number, totalBytes?: number): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IEND', new Uint8Array())];
  const head = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    head.set(p, at);
    at += p.length;
  }
  return padTo(head, totalBytes);
}

/** SOI + APP0 (JFIF) + SOF0 with the given size + EOI. */
export function jpegHeader(width: number, height: number, totalBytes?: number): Uint8Array {
  const head = new Uint8Array([
    0xff,
    0xd8,
    0xff,
    0xe0,
    0x00,
    0x10,
    0x4a,
    0x46,
    0x49,
    0x46,
    0x00,
    0x01,
    0x01,
    0x00,
    0x00,
    0x01,
    0x00,
    0x01,
    0x00,
    0x00,
    0xff,
    0xc0,
    0x00,
    0x11,
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    0x03,
    0x01,
    0x22,
    0x00,
    0x02,
    0x11,
    0x01,
    0x03,
    0x11,
    0x01,
    0xff,
    0xd9,
  ]);
  return padTo(head, totalBytes);
}

export function gifHeader(width: number, height: number): Uint8Array {
  return new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, width & 0xff, width >> 8, height & 0xff, height >> 8, 0, 0, 0]);
}

/** A lossless WebP (VP8L) header. */
export function webpHeader(width: number, height: number): Uint8Array {
  const w = width - 1;
  const h = height - 1;
  const bits = w | (h << 14);
  return new Uint8Array([
    0x52,
    0x49,
    0x46,
    0x46,
    0x1a,
    0,
    0,
    0,
    0x57,
    0x45,
    0x42,
    0x50,
    0x56,
    0x50,
    0x38,
    0x4c,
    0x0d,
    0,
    0,
    0,
    0x2f,
    bits & 0xff,
    (bits >> 8) & 0xff,
    (bits >> 16) & 0xff,
    (bits >>> 24) & 0xff,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
  ]);
}

/** A complete, decodable RGBA PNG filled with one colour. */
export function realPng(width: number, height: number, shade = 128): Uint8Array {
  return encode({ width, height, data: new Uint8Array(width * height * 4).fill(shade), channels: 4, depth: 8 });
}

/** A PNG chunk (length, type, data, CRC). */
function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * A complete, decodable PNG of exactly `totalBytes`: stored (uncompressed) pixels, then a private
 * ancillary chunk (`ppAd`, which decoders skip) pads it to the size.
 */
export function pngOfSize(width: number, height: number, totalBytes: number): Uint8Array {
  const base = encode({ width, height, data: new Uint8Array(width * height * 3), channels: 3, depth: 8 }, { zlib: { level: 0 } });
  const padData = totalBytes - base.length - 12;
  if (padData < 0) throw new Error(`a ${width}×${height} PNG is already ${base.length} bytes`);
  const iend = base.length - 12;
  const out = new Uint8Array(totalBytes);
  out.set(base.subarray(0, iend));
  out.set(pngChunk('ppAd', new Uint8Array(padData)), iend);
  out.set(base.subarray(iend), iend + 12 + padData);
  return out;
}

/**
 * A PNG whose signature, IHDR and CRCs are all valid but whose IDAT is not a zlib stream: the
 * header says "fine", only a full decode finds the damage.
 */
export function pngWithBrokenIdat(width: number, height: number): Uint8Array {
  const good = realPng(width, height);
  const ihdrEnd = 8 + 25;
  const garbage = new Uint8Array(64).map((_, i) => (i * 37 + 11) & 0xff);
  return concat([good.subarray(0, ihdrEnd), pngChunk('IDAT', garbage), pngChunk('IEND', new Uint8Array())]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A complete, decodable baseline JPEG with some detail (so its scan data is not trivial). */
export function realJpeg(width: number, height: number, quality = 85): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([(i * 7) & 255, (i >> 3) & 255, (i * 13) & 255, 255], i * 4);
  return new Uint8Array(encodeJpeg({ width, height, data }, quality).data);
}
