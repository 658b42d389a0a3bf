import { describe, expect, it } from 'vitest';
import { compactFrames, framesPicked, toggleFrame } from '../../app/ui/frames/frame-selection';

describe('frame selection', () => {
  it.each([
    [[1, 2, 3, 5], '1-3,5'],
    [[5, 1, 2], '1-2,5'],
    [[4], '4'],
    [[], ''],
    [[2, 2, 3], '2-3'],
  ])('compacts %j to "%s"', (frames, text) => {
    expect(compactFrames(frames)).toBe(text);
  });

  it('reads which frames a selection picks from a list', () => {
    expect([...framesPicked('1,3-', 5)!]).toEqual([1, 3, 4, 5]);
    expect(framesPicked('9', 3)).toBeUndefined();
    expect(framesPicked('x', 3)).toBeUndefined();
  });

  it('adds and removes frames when they are clicked', () => {
    expect(toggleFrame('1', 4, 3)).toBe('1,3');
    expect(toggleFrame('1-3', 4, 2)).toBe('1,3');
    expect(toggleFrame('bad', 4, 2)).toBe('2');
  });
});
