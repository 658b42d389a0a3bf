import { describe, expect, it } from 'vitest';
import { DEFAULT_RESOLUTION, MAX_SEED, RESOLUTIONS, promptImageCount, resolutionSize, type Resolution } from '../../app/model/seedream';

describe('promptImageCount', () => {
  it.each([
    ['Generate 4 images of a lighthouse', 4],
    ['Make three frames of a cat waking up', 3],
    ['a sequence of 6 panels showing the storm', 6],
    ['3 men in two images', 2],
    ['Create 12 comic-style storyboard shots', 12],
    ['an image of the same man at night', 1],
    ['GENERATE FIVE PICTURES', 5],
    ['Generate 15 variations', 15],
  ] as const)('reads %j as %i', (prompt, count) => {
    expect(promptImageCount(prompt)).toBe(count);
  });

  it.each([['The man is riding a motorcycle on the road'], ['a few images of the beach'], ['Generate 0 images'], [''], ['3 men walking']])(
    'returns undefined when %j names no count',
    (prompt) => {
      expect(promptImageCount(prompt)).toBeUndefined();
    },
  );
});

describe('resolutionSize', () => {
  it.each([
    ['2K', 2048, 2048],
    ['4K', 4096, 4096],
    ['2048x2048 (1:1)', 2048, 2048],
    ['2304x1728 (4:3)', 2304, 1728],
    ['1728x2304 (3:4)', 1728, 2304],
    ['2560x1440 (16:9)', 2560, 1440],
    ['1440x2560 (9:16)', 1440, 2560],
    ['2496x1664 (3:2)', 2496, 1664],
    ['1664x2496 (2:3)', 1664, 2496],
    ['3024x1296 (21:9)', 3024, 1296],
    ['4096x4096 (1:1)', 4096, 4096],
  ] as const)('gives %s as %ix%i', (label, width, height) => {
    expect(resolutionSize(label)).toEqual({ width, height });
  });

  it('covers every resolution label when listed', () => {
    for (const label of RESOLUTIONS) {
      const { width, height } = resolutionSize(label);
      expect(width).toBeGreaterThan(0);
      expect(height).toBeGreaterThan(0);
    }
    expect(RESOLUTIONS).toContain(DEFAULT_RESOLUTION);
  });

  it('throws when a label has no size in it', () => {
    expect(() => resolutionSize('huge' as Resolution)).toThrow(/Unparseable/);
  });
});

describe('MAX_SEED', () => {
  it('is the largest signed 32-bit integer when read', () => {
    expect(MAX_SEED).toBe(2147483647);
  });
});
