import { describe, expect, it } from 'vitest';
import {
  guessRunMs,
  loadRunTimeModel,
  MemoryRunTimeStore,
  RunTimeModel,
  runTimeClass,
  type RunTimeFactors,
  type RunTimeSnapshot,
  type RunTimeStore,
} from '../../app/api/run-time-model';

const three2K: RunTimeFactors = { maxImages: 3, resolution: '2048x2048 (1:1)' };

describe('runTimeClass', () => {
  it.each([
    [
      { maxImages: 3, resolution: '2048x2048 (1:1)' },
      { resolution: '2K', images: 3 },
    ],
    [
      { maxImages: 3, resolution: '3024x1296 (21:9)' },
      { resolution: '2K', images: 3 },
    ],
    [
      { maxImages: 15, resolution: '4K' },
      { resolution: '4K', images: 15 },
    ],
    [
      { maxImages: 2, resolution: '4096x4096 (1:1)' },
      { resolution: '4K', images: 2 },
    ],
    [
      { maxImages: 6, resolution: '2K', prompt: 'Generate 2 images of a boat' },
      { resolution: '2K', images: 2 },
    ],
    [
      { maxImages: 2, resolution: '2K', prompt: 'Make nine frames' },
      { resolution: '2K', images: 2 },
    ],
  ] as const)('classes %j as %j', (f, expected) => {
    expect(runTimeClass(f)).toEqual(expected);
  });
});

describe('RunTimeModel', () => {
  it('guesses, unlearned and without a floor, when nothing was observed', () => {
    expect(new RunTimeModel().estimate(three2K)).toEqual({ expectedMs: guessRunMs({ resolution: '2K', images: 3 }), learned: false });
    expect(guessRunMs({ resolution: '4K', images: 3 })).toBe(3 * guessRunMs({ resolution: '2K', images: 3 }));
  });

  it('learns the median, and a floor only after three observations', () => {
    const model = new RunTimeModel();
    model.observe(three2K, 14_000);
    model.observe(three2K, 12_000);
    expect(model.estimate(three2K)).toEqual({ expectedMs: 13_000, learned: true });
    model.observe(three2K, 20_000);
    expect(model.estimate(three2K)).toEqual({ expectedMs: 14_000, floorMs: 12_000 * 0.8 - 3_000, learned: true });
  });

  it('keeps only the most recent runs when a class is observed many times', () => {
    const model = new RunTimeModel({ recent: 3 });
    for (const ms of [1_000, 50_000, 60_000, 70_000]) model.observe(three2K, ms);
    expect(model.estimate(three2K)).toMatchObject({ expectedMs: 60_000, floorMs: 50_000 * 0.8 - 3_000 });
    expect(model.snapshot().classes[0]).toMatchObject({ observed: 4, recentMs: [50_000, 60_000, 70_000] });
  });

  it('ignores run times that are not positive finite numbers', () => {
    const model = new RunTimeModel();
    for (const ms of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) model.observe(three2K, ms);
    expect(model.snapshot().classes).toEqual([]);
  });

  it('falls back to neighbouring image counts, never with a floor, when a class is unknown', () => {
    const model = new RunTimeModel();
    for (let i = 0; i < 3; i++) {
      model.observe({ maxImages: 2, resolution: '2K' }, 10_000);
      model.observe({ maxImages: 6, resolution: '2K' }, 18_000);
    }
    // Between two measured counts: linear.
    expect(model.estimate({ maxImages: 3, resolution: '2K' })).toEqual({ expectedMs: 12_000, learned: false });
    // Beyond them: the nearest, scaled by the guesses' ratio.
    const ten = { resolution: '2K', images: 10 } as const;
    expect(model.estimate({ maxImages: 10, resolution: '2K' }).expectedMs).toBeCloseTo(
      (18_000 * guessRunMs(ten)) / guessRunMs({ resolution: '2K', images: 6 }),
    );
    // Other resolution class: the same, through the guesses' 4K factor.
    expect(model.estimate({ maxImages: 2, resolution: '4K' })).toEqual({ expectedMs: 30_000, learned: false });
  });

  it('gives the same estimates after a snapshot round trip through JSON', () => {
    const model = new RunTimeModel();
    for (const ms of [30_000, 31_000, 29_000, 40_000]) model.observe({ maxImages: 4, resolution: '4K' }, ms);
    model.observe(three2K, 12_000);
    const copy = RunTimeModel.from(JSON.parse(JSON.stringify(model.snapshot())));
    expect(copy.snapshot()).toEqual(model.snapshot());
    expect(copy.estimate({ maxImages: 4, resolution: '4K' })).toEqual(model.estimate({ maxImages: 4, resolution: '4K' }));
  });

  it.each([
    ['undefined', undefined],
    ['a string', 'not a snapshot'],
    ['an older version', { version: 0, classes: [] }],
    ['a newer version', { version: 2, classes: [{ resolution: '2K', images: 3, observed: 1, recentMs: [1] }] }],
    ['a bad class', { version: 1, classes: [{ resolution: '8K', images: 3, observed: 1, recentMs: [1_000] }] }],
    ['a negative run time', { version: 1, classes: [{ resolution: '2K', images: 3, observed: 1, recentMs: [-1] }] }],
  ])('starts cold when the snapshot is %s', (_what, raw) => {
    const model = RunTimeModel.from(raw);
    expect(model.snapshot()).toEqual({ version: 1, classes: [] });
    expect(model.estimate(three2K).learned).toBe(false);
  });
});

describe('MemoryRunTimeStore', () => {
  it('gives a warm model back after a save when loaded again', async () => {
    const store = new MemoryRunTimeStore();
    expect(await store.load()).toBeUndefined();
    const model = new RunTimeModel();
    for (const ms of [10_000, 11_000, 12_000]) model.observe(three2K, ms);
    await store.save(model.snapshot());
    const warm = await loadRunTimeModel(store);
    expect(warm.estimate(three2K)).toEqual(model.estimate(three2K));
  });

  it('does not share the saved object with the caller', async () => {
    const snapshot: RunTimeSnapshot = { version: 1, classes: [{ resolution: '2K', images: 3, observed: 1, recentMs: [5_000] }] };
    const store = new MemoryRunTimeStore(snapshot);
    snapshot.classes[0]!.recentMs.push(1);
    expect((await store.load())?.classes[0]?.recentMs).toEqual([5_000]);
  });
});

describe('loadRunTimeModel', () => {
  it('gives a cold model when the store fails to load', async () => {
    const broken: RunTimeStore = { load: () => Promise.reject(new Error('disk gone')), save: () => Promise.resolve() };
    expect((await loadRunTimeModel(broken)).snapshot().classes).toEqual([]);
  });
});
