import { describe, expect, it } from 'vitest';
import { memoizePrice } from '../../app/batch';

const MODEL = 'bytedance/seedream-4-5/edit-sequential';

/** A catalog that answers from a list (or fails where the list says `fail`), counting reads. */
function catalog(answers: (number | 'fail')[]) {
  let reads = 0;
  const priceUsd = async (model: string) => {
    const a = answers[Math.min(reads++, answers.length - 1)]!;
    if (a === 'fail') throw new Error('catalog unreachable');
    return model === MODEL ? a : undefined;
  };
  return { priceUsd, reads: () => reads };
}

describe('memoizePrice', () => {
  it('reads the catalog once per model, even when many rows ask at once', async () => {
    const c = catalog([0.04]);
    const price = memoizePrice(c.priceUsd);
    expect(await Promise.all(Array.from({ length: 16 }, () => price(MODEL)))).toEqual(Array(16).fill(0.04));
    expect(await price('other/model')).toBeUndefined();
    expect(c.reads()).toBe(2);
  });

  it('asks again after a failed read', async () => {
    const c = catalog(['fail', 0.05]);
    const price = memoizePrice(c.priceUsd);
    await expect(price(MODEL)).rejects.toThrow('catalog unreachable');
    expect(await price(MODEL)).toBe(0.05);
    expect(await price(MODEL)).toBe(0.05);
    expect(c.reads()).toBe(2);
  });

  it('with a time to live, reads the price again once it is older than that (a worker serves many batches)', async () => {
    let now = 0;
    const c = catalog([0.04, 0.06]);
    const price = memoizePrice(c.priceUsd, { ttlMs: 60_000, now: () => now });
    expect(await price(MODEL)).toBe(0.04);
    now = 59_999;
    expect(await price(MODEL)).toBe(0.04);
    now = 60_000;
    expect(await price(MODEL)).toBe(0.06);
    expect(c.reads()).toBe(2);
  });

  it('a failed read does not forget a newer price read meanwhile', async () => {
    let now = 0;
    let release: (v: number) => void = () => undefined;
    let reads = 0;
    const price = memoizePrice(
      () => {
        reads++;
        if (reads === 1) return new Promise<number>((_, reject) => setTimeout(() => reject(new Error('slow failure')), 5));
        return new Promise<number>((resolve) => (release = resolve));
      },
      { ttlMs: 10, now: () => now },
    );
    const first = price(MODEL);
    now = 20; // expired: a second read starts while the first is still out
    const second = price(MODEL);
    await expect(first).rejects.toThrow('slow failure');
    release(0.07);
    expect(await second).toBe(0.07);
    expect(await price(MODEL)).toBe(0.07);
    expect(reads).toBe(2);
  });
});
