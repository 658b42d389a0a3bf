import { decode, encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../app/lib/crc32';
import { encodeRgbPng } from '../../app/server/simulator/png-encode';
import { decodeReference } from '../../app/server/simulator/reference-image';

/** Width × height RGB pixels whose every byte differs from its neighbours'. */
function pixels(width: number, height: number): Uint8Array {
  return Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37 + (i >> 5)) & 255);
}

/** The PNG's chunks: type, body, and whether the stored CRC is right. */
function chunks(png: Uint8Array): { type: string; length: number; crcOk: boolean }[] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out = [];
  for (let at = 8; at < png.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    out.push({ type, length, crcOk: view.getUint32(at + 8 + length) === crc32(png.subarray(at + 4, at + 8 + length)) });
    at += 12 + length;
  }
  return out;
}

describe('encodeRgbPng (the simulator’s frames)', () => {
  it.each([
    [1, 1],
    [3, 2],
    [61, 61],
    [640, 7],
  ])('writes a %i×%i PNG that decoders read back pixel for pixel', (width, height) => {
    const data = pixels(width, height);
    const png = encodeRgbPng(width, height, data);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(chunks(png)).toEqual([
      { type: 'IHDR', length: 13, crcOk: true },
      { type: 'IDAT', length: expect.any(Number), crcOk: true },
      { type: 'IEND', length: 0, crcOk: true },
    ]);
    const back = decode(png);
    expect({ width: back.width, height: back.height, channels: back.channels, depth: back.depth }).toEqual({ width, height, channels: 3, depth: 8 });
    expect(Buffer.from(back.data as Uint8Array).equals(Buffer.from(data))).toBe(true);
    // The simulator's own decoder (its thumbnail strip) reads it too.
    const rgba = decodeReference(png)!;
    expect([rgba.width, rgba.height]).toEqual([width, height]);
    expect([...rgba.data.subarray(0, 4)]).toEqual([data[0], data[1], data[2], 255]);
  });

  it('compresses about as well as a JavaScript deflate, and writes the same bytes every time', () => {
    // Bands of flat colour, like a frame's background and marks.
    const data = Uint8Array.from({ length: 256 * 256 * 3 }, (_, i) => (Math.floor(i / 3 / 24) % 3) * 90 + (i % 3) * 20);
    const ours = encodeRgbPng(256, 256, data);
    const theirs = encode({ width: 256, height: 256, data, channels: 3, depth: 8 }, { zlib: { level: 6 } });
    expect(ours.length).toBeLessThan(data.length / 20);
    expect(ours.length).toBeLessThan(theirs.length * 1.5);
    expect(Buffer.from(encodeRgbPng(256, 256, data)).equals(Buffer.from(ours))).toBe(true);
  });

  it('refuses sizes that are not an image, saying what was wrong', () => {
    expect(() => encodeRgbPng(0, 4, new Uint8Array(0))).toThrow(/at least 1×1 pixel.*0×4/);
    expect(() => encodeRgbPng(2.5, 4, new Uint8Array(30))).toThrow(/whole pixels/);
    expect(() => encodeRgbPng(2, 2, new Uint8Array(11))).toThrow('2×2 RGB pixels are 12 bytes, not 11.');
  });
});
