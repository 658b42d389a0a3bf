import { stringify } from 'safe-stable-stringify';
import { describe, expect, it } from 'vitest';
import { canonicalJson, stableHash } from '../../app/lib/hash';

/** A seeded RNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['a', 'b', 'B', '10', '2', '01', '', 'é', 'z z', '__proto__x', 'prompt', '\u2028', '\ud83d\ude00', 'maxImages'];
const STRINGS = ['', 'x', 'Generate 3 images of a fox', 'quote " and \\ backslash', 'line\nbreak', '\u0000\u001f', 'lone \ud800 surrogate', '😀', 'é'];

function value(r: () => number, depth: number): unknown {
  const pick = Math.floor(r() * (depth > 3 ? 6 : 9));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return [0, -0, 1, -1.5, 1e21, 1e-7, 2 ** 53, NaN, Infinity, 54519385][Math.floor(r() * 10)];
    case 3:
      return STRINGS[Math.floor(r() * STRINGS.length)];
    case 4:
      return undefined;
    case 5:
      return Math.floor(r() * 1000);
    case 6:
      return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(r() * 5); i > 0; i--) o[KEYS[Math.floor(r() * KEYS.length)]!] = value(r, depth + 1);
      return o;
    }
  }
}

describe('canonicalJson', () => {
  it('writes exactly what safe-stable-stringify writes, so cache keys made before stay the same', () => {
    const r = rng(7);
    for (let i = 0; i < 5_000; i++) {
      const v = value(r, 0);
      expect(canonicalJson(v)).toBe(stringify(v) ?? 'null');
    }
  });

  it('sorts keys, drops undefined and functions, writes dates and cycles like the library', () => {
    const cyclic: Record<string, unknown> = { b: 1 };
    cyclic.self = cyclic;
    for (const v of [{ b: 1, a: [undefined, () => 1], c: undefined }, new Date(0), { d: new Date(0) }, cyclic, 10n, [Symbol('s')]]) {
      expect(canonicalJson(v)).toBe(stringify(v) ?? 'null');
    }
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it('keeps the cache key of a known value (a change here would pay again for unchanged work)', () => {
    expect(stableHash({ kind: 'seedream.edit-sequential', params: { maxImages: 3, prompt: 'Generate 3 images', seed: 54519385 } })).toBe(
      stableHash({ params: { seed: 54519385, prompt: 'Generate 3 images', maxImages: 3 }, kind: 'seedream.edit-sequential' }),
    );
  });
});
