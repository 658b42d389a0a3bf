import { describe, expect, it } from 'vitest';
import { checkJpegScans } from '../../app/lib/jpeg-scan-check';
import { realJpeg } from '../api/test-images';
import { CJPEG, jpegBytes } from './jpeg-samples';

describe('checkJpegScans', () => {
  it.each([
    ['jpeg-js baseline 4:4:4', realJpeg(33, 17)],
    ['jpeg-js baseline, one block', realJpeg(8, 8, 50)],
    ['cjpeg 4:2:0 with a restart marker every row and optimised tables', jpegBytes(CJPEG.subsampledWithRestarts)],
    ['cjpeg greyscale', jpegBytes(CJPEG.grayscale)],
  ])('reads every block of %s', (_, bytes) => {
    expect(checkJpegScans(bytes)).toMatchObject({ ok: true });
  });

  it('gives the frame size', () => {
    expect(checkJpegScans(realJpeg(33, 17))).toEqual({ ok: true, width: 33, height: 17 });
  });

  it.each([0.2, 0.5, 0.9, 0.99])('refuses a file cut at %f of its length', (fraction) => {
    for (const bytes of [realJpeg(64, 40), jpegBytes(CJPEG.subsampledWithRestarts)]) {
      const r = checkJpegScans(bytes.subarray(0, Math.floor(bytes.length * fraction)));
      expect(r.ok).toBe(false);
    }
  });

  it('refuses a file without its end marker', () => {
    const bytes = realJpeg(64, 40);
    expect(checkJpegScans(bytes.subarray(0, bytes.length - 2))).toEqual({ ok: false, reason: 'it ends before its end-of-image marker (truncated)' });
  });

  it('refuses a restart marker out of order', () => {
    const bytes = jpegBytes(CJPEG.subsampledWithRestarts).slice();
    const at = bytes.findIndex((b, i) => b === 0xff && bytes[i + 1] === 0xd0);
    expect(at).toBeGreaterThan(0);
    bytes[at + 1] = 0xd2;
    expect(checkJpegScans(bytes)).toEqual({ ok: false, reason: 'its image data is cut short or damaged (a restart marker is missing)' });
  });

  it('refuses scan data no Huffman table can read', () => {
    const bytes = realJpeg(64, 40).slice();
    const sos = bytes.findIndex((b, i) => b === 0xff && bytes[i + 1] === 0xda);
    const start = sos + 2 + ((bytes[sos + 2]! << 8) | bytes[sos + 3]!);
    // 0xFE 0xFE …: long runs of 1-bits are not a code in jpeg-js's standard tables.
    bytes.fill(0xfe, start, start + 40);
    expect(checkJpegScans(bytes)).toMatchObject({ ok: false, reason: expect.stringMatching(/damaged/) });
  });

  it('leaves progressive and arithmetic-coded files to a full decoder', () => {
    expect(checkJpegScans(jpegBytes(CJPEG.progressive))).toEqual({ ok: 'unsupported', variant: 'progressive' });
    expect(checkJpegScans(jpegBytes(CJPEG.arithmetic))).toEqual({ ok: 'unsupported', variant: 'arithmetic-coded' });
  });

  it('refuses what is not a JPEG', () => {
    expect(checkJpegScans(new Uint8Array([1, 2, 3, 4, 5]))).toMatchObject({ ok: false });
  });
});
