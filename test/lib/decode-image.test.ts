import { describe, expect, it } from 'vitest';
import { decodeCheck } from '../../app/lib/decode-image';
import { pngHeader, pngOfSize, pngWithBrokenIdat, realJpeg, realPng } from '../api/test-images';
import { CJPEG, jpegBytes } from './jpeg-samples';

describe('decodeCheck', () => {
  it('accepts whole PNGs and JPEGs, giving their size', () => {
    expect(decodeCheck(realPng(30, 20))).toEqual({ ok: true, width: 30, height: 20 });
    expect(decodeCheck(pngOfSize(30, 20, 5000))).toEqual({ ok: true, width: 30, height: 20 });
    expect(decodeCheck(realJpeg(30, 20))).toEqual({ ok: true, width: 30, height: 20 });
    expect(decodeCheck(jpegBytes(CJPEG.progressive))).toEqual({ ok: true, width: 40, height: 24 });
  });

  it('refuses a PNG whose header is fine but whose IDAT is not zlib data', () => {
    expect(decodeCheck(pngWithBrokenIdat(30, 20))).toMatchObject({ ok: false, reason: expect.stringMatching(/^its image data is damaged or cut short/) });
  });

  it('refuses a PNG with a flipped bit in its pixel data (CRC)', () => {
    const bytes = realPng(30, 20, 77).slice();
    const idat = bytes.findIndex((b, i) => b === 0x49 && bytes[i + 1] === 0x44 && bytes[i + 2] === 0x41 && bytes[i + 3] === 0x54);
    bytes[idat + 10]! ^= 0x04;
    expect(decodeCheck(bytes)).toMatchObject({ ok: false });
  });

  it('refuses a cut-short PNG, a header-only PNG, a cut-short progressive JPEG and an arithmetic-coded JPEG', () => {
    const png = realPng(30, 20);
    expect(decodeCheck(png.subarray(0, png.length - 20)).ok).toBe(false);
    expect(decodeCheck(pngHeader(30, 20)).ok).toBe(false);
    const progressive = jpegBytes(CJPEG.progressive);
    expect(decodeCheck(progressive.subarray(0, progressive.length >> 1))).toMatchObject({ ok: false, reason: expect.stringMatching(/progressive/) });
    expect(decodeCheck(jpegBytes(CJPEG.arithmetic))).toMatchObject({ ok: false, reason: expect.stringMatching(/arithmetic-coded/) });
  });

  it('refuses what is neither PNG nor JPEG', () => {
    expect(decodeCheck(new TextEncoder().encode('GIF89a……'))).toEqual({ ok: false, reason: 'it is not a PNG or JPEG file' });
  });
});
