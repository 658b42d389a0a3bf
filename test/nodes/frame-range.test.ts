import { describe, expect, it } from 'vitest';
import { parseFrames, resolveFrames, selectFrames } from '../../nodes/frame-range';

const pick = (spec: string, length: number) => {
  const parsed = parseFrames(spec);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const resolved = resolveFrames(parsed.spans, length);
  if (!resolved.ok) throw new Error(resolved.error.message);
  return resolved.indexes.map((i) => i + 1);
};

describe('parseFrames + resolveFrames', () => {
  it.each([
    ['1', 5, [1]],
    ['5', 5, [5]],
    ['1,3-5', 5, [1, 3, 4, 5]],
    ['2-', 5, [2, 3, 4, 5]],
    ['5-', 5, [5]],
    ['1-', 1, [1]],
    ['5-3', 5, [5, 4, 3]],
    ['3-3', 5, [3]],
    ['3,1,1', 5, [3, 1, 1]],
    [' 1 , 2 - 3 ,4- ', 5, [1, 2, 3, 4, 5]],
    ['007', 9, [7]],
  ] as const)('selects %j from %i frames as %j', (spec, length, frames) => {
    expect(pick(spec, length)).toEqual(frames);
  });
});

describe('parseFrames', () => {
  it.each([
    ['', 1, /at least one frame/],
    ['   ', 1, /at least one frame/],
    ['0', 1, /no frame 0/],
    ['1,0-2', 3, /"0-2" at character 3.*no frame 0/],
    ['2-0', 1, /no frame 0/],
    ['-3', 1, /"-3" at character 1.*no negative numbers.*1-3/],
    ['1, -1', 4, /"-1" at character 4/],
    ['-', 1, /no negative/],
    ['1,,2', 3, /Empty item at character 3/],
    ['1,', 3, /Empty item at character 3/],
    [',1', 1, /Empty item at character 1/],
    ['abc', 1, /"abc" at character 1 is not a frame number or range/],
    ['1,2,x3', 5, /"x3" at character 5/],
    ['1.5', 1, /not a frame number/],
    ['1-3-5', 1, /not a frame number/],
    ['1 2', 1, /not a frame number/],
    ['+1', 1, /not a frame number/],
    ['99999999999999999999', 1, /too large/],
  ] as const)('rejects %j at character %i', (spec, position, message) => {
    const result = parseFrames(spec);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.position).toBe(position);
    expect(result.error.message).toMatch(message);
  });

  it('keeps each item as written with its position when parsing succeeds', () => {
    expect(parseFrames('2, 4-')).toEqual({
      ok: true,
      spans: [
        { from: 2, to: 2, text: '2', position: 1 },
        { from: 4, to: 'end', text: '4-', position: 4 },
      ],
    });
  });
});

describe('resolveFrames', () => {
  it.each([
    ['4', 3, 4, 'Frame 4 is out of range: the list has 3 images'],
    ['1-4', 3, 4, 'Frame 4 is out of range: the list has 3 images (in "1-4" at character 1)'],
    ['1,6-2', 5, 6, 'Frame 6 is out of range: the list has 5 images (in "6-2" at character 3)'],
    ['4-', 3, 4, 'Frame 4 is out of range: the list has 3 images (in "4-" at character 1)'],
    ['2', 1, 2, 'Frame 2 is out of range: the list has 1 image'],
    ['1-', 0, 1, 'Frame 1 is out of range: the list is empty (in "1-" at character 1)'],
  ] as const)('refuses %j on %i frames naming frame %i', (spec, length, frame, message) => {
    const parsed = parseFrames(spec);
    if (!parsed.ok) throw new Error('expected a valid selection');
    const result = resolveFrames(parsed.spans, length);
    expect(result).toMatchObject({ ok: false, error: { frame, length, message } });
  });
});

describe('selectFrames', () => {
  it('returns the chosen items in selection order when valid', () => {
    expect(selectFrames('3,1', ['a', 'b', 'c'])).toEqual({ ok: true, items: ['c', 'a'] });
  });

  it('returns the syntax error when the spec does not parse', () => {
    expect(selectFrames('x', ['a'])).toMatchObject({ ok: false, error: { position: 1, token: 'x' } });
  });

  it('returns the range error when a frame is missing', () => {
    expect(selectFrames('2', ['a'])).toMatchObject({ ok: false, error: { frame: 2, length: 1 } });
  });
});
