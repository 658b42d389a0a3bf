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

  it('one caller stopping does not fail the others: the shared read is aborted only when every caller stopped', async () => {
    const reads: { signal: AbortSignal | undefined; answer(v: number): void }[] = [];
    const price = memoizePrice((_model, signal) => new Promise<number>((resolve) => reads.push({ signal, answer: resolve })));
    const rowA = new AbortController();
    const rowB = new AbortController();
    const a = price(MODEL, rowA.signal);
    const b = price(MODEL, rowB.signal);
    rowA.abort(new Error('row A was stopped'));
    await expect(a).rejects.toThrow('row A was stopped');
    expect(reads).toHaveLength(1);
    expect(reads[0]!.signal?.aborted).toBe(false);
    reads[0]!.answer(0.04);
    expect(await b).toBe(0.04);

    // Both stop while a fresh read (another model) is out: it is aborted and forgotten, so the next caller reads again.
    const c1 = new AbortController();
    const c2 = new AbortController();
    const x = price('other/model', c1.signal);
    const y = price('other/model', c2.signal);
    c1.abort(new Error('stop 1'));
    c2.abort(new Error('stop 2'));
    await expect(x).rejects.toThrow('stop 1');
    await expect(y).rejects.toThrow('stop 2');
    expect(reads[1]!.signal?.aborted).toBe(true);
    void price('other/model');
    expect(reads).toHaveLength(3);
    // A caller without a signal keeps its read alive whoever else stops.
    const c3 = new AbortController();
    const z = price('other/model', c3.signal);
    c3.abort(new Error('stop 3'));
    await expect(z).rejects.toThrow('stop 3');
    expect(reads[2]!.signal?.aborted).toBe(false);
    await expect(price(MODEL, AbortSignal.abort(new Error('already stopped')))).rejects.toThrow('already stopped');
  });
});
