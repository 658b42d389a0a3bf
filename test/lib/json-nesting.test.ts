import { describe, expect, it } from 'vitest';
import { findExcessNesting, jsonText } from '../../app/lib/json-nesting';

/** `[[…leaf]]` nested `levels` arrays deep, built without recursion. */
function arrays(levels: number, leaf: unknown = 0): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

describe('findExcessNesting', () => {
  it.each([
    ['a number', 1, 1, undefined],
    ['an empty object at the limit', {}, 1, undefined],
    ['arrays exactly at the limit', arrays(5), 5, undefined],
    ['arrays one level over the limit', arrays(6), 5, { kind: 'too-deep', path: [0, 0, 0, 0, 0] }],
  ])('judges %s', (_case, value, max, expected) => {
    expect(findExcessNesting(value, max)).toEqual(expected);
  });

  it('names the first too-deep place in document order', () => {
    const value = { a: { ok: 1 }, b: [{ c: {} }, { d: { e: {} } }], z: { y: { x: {} } } };
    expect(findExcessNesting(value, 3)).toEqual({ kind: 'too-deep', path: ['b', 0, 'c'] });
  });

  it('walks 100,000 levels without overflowing the stack', () => {
    const value = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    expect(findExcessNesting(value, 64)).toMatchObject({ kind: 'too-deep' });
  });

  it('reports a cycle as too deep instead of looping', () => {
    const loop: unknown[] = [];
    loop.push(loop);
    expect(findExcessNesting(loop, 10)).toEqual({ kind: 'too-deep', path: Array.from({ length: 10 }, () => 0) });
  });

  it('gives up after the container limit when shared branches multiply the paths', () => {
    // 40 levels, each holding the next twice: 2^40 paths through 40 objects.
    let shared: unknown = {};
    for (let i = 0; i < 40; i++) shared = { l: shared, r: shared };
    expect(findExcessNesting(shared, 64, 10_000)).toEqual({ kind: 'too-many', limit: 10_000 });
  });

  it('treats typed arrays as leaves', () => {
    expect(findExcessNesting({ bytes: new Uint8Array(1_000_000) }, 1)).toBeUndefined();
  });
});

describe('jsonText', () => {
  it('returns the text when the value can be written as JSON', () => {
    expect(jsonText({ a: [1] }, 2)).toEqual({ ok: true, text: '{\n  "a": [\n    1\n  ]\n}' });
  });

  it.each([
    ['nested 10,000 levels deep', arrays(10_000)],
    ['a BigInt', { n: 1n }],
    ['undefined', undefined],
  ])('says why instead of throwing when the value is %s', (_case, value) => {
    const out = jsonText(value);
    expect(out.ok).toBe(false);
    expect(!out.ok && out.reason.length).toBeGreaterThan(0);
  });
});
