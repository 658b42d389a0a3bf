import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { decodeReference, parseDataUri } from '../../app/server/simulator/reference-image';

/** A 3×2 image whose every sample differs, in `channels` channels at `depth` bits. */
function samples(channels: number, depth: 8 | 16): { data: Uint8Array | Uint16Array; value: (px: number, c: number) => number } {
  const max = depth === 8 ? 255 : 65535;
  const value = (px: number, c: number) => Math.round(((px * 4 + c + 1) * max) / 25);
  const data = depth === 8 ? new Uint8Array(6 * channels) : new Uint16Array(6 * channels);
  for (let px = 0; px < 6; px++) for (let c = 0; c < channels; c++) data[px * channels + c] = value(px, c);
  return { data, value };
}

describe('decodeReference (the simulator’s thumbnail strip)', () => {
  it.each([
    [1, 8],
    [2, 8],
    [3, 8],
    [4, 8],
    [1, 16],
    [3, 16],
    [4, 16],
  ] as const)('turns a PNG of %i channel(s) at %i bits into RGBA, pixel by pixel', (channels, depth) => {
    const { data, value } = samples(channels, depth);
    const png = encode({ width: 3, height: 2, data, channels, depth });
    const img = decodeReference(png)!;
    expect({ width: img.width, height: img.height }).toEqual({ width: 3, height: 2 });
    const to8 = (v: number) => (depth === 16 ? v >> 8 : v);
    for (let px = 0; px < 6; px++) {
      const gray = channels <= 2;
      const want = [
        to8(value(px, 0)),
        to8(value(px, gray ? 0 : 1)),
        to8(value(px, gray ? 0 : 2)),
        channels === 2 ? to8(value(px, 1)) : channels === 4 ? to8(value(px, 3)) : 255,
      ];
      expect([...img.data.subarray(px * 4, px * 4 + 4)]).toEqual(want);
    }
  });

  it('gives undefined for bytes that are no image, and parses base64 data URIs only', () => {
    expect(decodeReference(new Uint8Array([1, 2, 3]))).toBeUndefined();
    expect(parseDataUri('data:image/png,abc')).toMatchObject({ ok: false });
    expect(parseDataUri('data:image/png;base64,AAEC')).toMatchObject({ ok: true, mime: 'image/png', bytes: new Uint8Array([0, 1, 2]) });
  });
});
