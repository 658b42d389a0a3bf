import { describe, expect, it } from 'vitest';
import { resolutionFor, seedreamParams } from '../../../app/graph/comfyui/seedream-params';
import { MAX_PARAM_STRING } from '../../../app/graph/workflow-schema';
import { MAX_SEED } from '../../../app/model/seedream';

const map = (widgets: Record<string, unknown>) => seedreamParams(new Map(Object.entries(widgets)), 'Seedream #1');

describe('resolutionFor', () => {
  it.each([
    [2048, 2048, '2048x2048 (1:1)', true],
    [2560, 1440, '2560x1440 (16:9)', true],
    [3024, 1296, '3024x1296 (21:9)', true],
    [4096, 4096, '4096x4096 (1:1)', true],
    // Seedream 4.5 presets of ComfyUI that have no label here: the size class decides.
    [2848, 1600, '2K', false],
    [1600, 2848, '2K', false],
    [3072, 3072, '4K', false],
    [5504, 3040, '4K', false],
    [1024, 1024, '2K', false],
  ])('maps %ix%i to %s (exact: %s)', (width, height, label, exact) => {
    expect(resolutionFor(width, height)).toMatchObject({ label, exact });
  });

  it('names the label of the same shape when the size has none of its own', () => {
    expect(resolutionFor(2848, 1600).sameShape).toBe('2560x1440 (16:9)');
    expect(resolutionFor(1000, 3000).sameShape).toBeUndefined();
  });
});

describe('seedreamParams', () => {
  it('uses ComfyUI defaults when the widgets are absent', () => {
    expect(map({})).toEqual({ params: { prompt: '', maxImages: 1, resolution: '2048x2048 (1:1)', seed: 0 }, report: [] });
  });

  it.each([
    [{ size_preset: '2304x1728 (4:3)' }, '2304x1728 (4:3)', undefined],
    [{ size_preset: '(2K) 1728x2304 (3:4)' }, '1728x2304 (3:4)', undefined],
    [{ size_preset: 'Custom', width: 1664, height: 2496 }, '1664x2496 (2:3)', undefined],
    [
      { size_preset: '(2K) 2848x1600 (16:9)' },
      '2K',
      /size “\(2K\) 2848x1600 \(16:9\)” has no exact resolution here; it became “2K”.*“2560x1440 \(16:9\)” has the same shape/,
    ],
    [{ size_preset: 'Custom', width: 6240, height: 2656 }, '4K', /custom size 6240x2656 has no exact resolution here; it became “4K”/],
    [{ size_preset: 'Huge' }, '2048x2048 (1:1)', /size “Huge” could not be read/],
  ])('maps the size %j to %s', (widgets, resolution, line) => {
    const r = map(widgets);
    expect(r.params.resolution).toBe(resolution);
    if (line) expect(r.report).toEqual([expect.stringMatching(line)]);
    else expect(r.report).toEqual([]);
  });

  it.each([
    [{ sequential_image_generation: 'auto', max_images: 4 }, 4, undefined],
    [{ sequential_image_generation: 'auto' }, 1, undefined],
    [{ sequential_image_generation: 'disabled', max_images: 4 }, 1, /makes one image in ComfyUI.*not its max_images 4/],
    [{ sequential_image_generation: 'auto', max_images: 20 }, 15, /max_images 20 is outside 1–15; Max images is 15/],
    [{ sequential_image_generation: 'auto', max_images: 0 }, 1, /max_images 0 is outside 1–15/],
    [{ sequential_image_generation: 'sometimes', max_images: 3 }, 3, /“sometimes” is not a ComfyUI choice/],
  ])('maps %j to Max images %i', (widgets, maxImages, line) => {
    const r = map(widgets);
    expect(r.params.maxImages).toBe(maxImages);
    if (line) expect(r.report).toEqual([expect.stringMatching(line)]);
    else expect(r.report).toEqual([]);
  });

  it.each([
    [273660288, 273660288],
    [-5, 0],
    [2 ** 40, MAX_SEED],
    [1.5, 2],
    ['abc', 0],
  ])('clamps the seed %j to %i and says so when it changed', (seed, expected) => {
    const r = map({ seed });
    expect(r.params.seed).toBe(expected);
    expect(r.report).toHaveLength(seed === expected ? 0 : 1);
  });

  it('reports what has no counterpart: another model, a changing seed, a watermark', () => {
    const r = map({ model: 'seedream-4-0-250828', seed: 9, 'seed.control': 'randomize', watermark: true, fail_on_partial: false });
    expect(r.report).toEqual([
      'Seedream #1 used the model “seedream-4-0-250828” in ComfyUI; here it runs Seedream 4.5 Edit Sequential.',
      'Seedream #1: ComfyUI changed the seed after every run (“randomize”); here it stays 9 until you change it.',
      'Seedream #1 asked for a watermark; this model has no watermark option here, so none is requested.',
    ]);
    expect(map({ model: 'seedream-4-5-251128', 'seed.control': 'fixed', watermark: false }).report).toEqual([]);
  });

  it('keeps long prompts within what a workflow holds and warns above the model limit', () => {
    expect(map({ prompt: 'a'.repeat(700) }).report).toEqual([expect.stringMatching(/has 700 characters; Seedream 4.5 here takes at most 599/)]);
    const huge = map({ prompt: 'a'.repeat(MAX_PARAM_STRING + 10) });
    expect(huge.params.prompt).toHaveLength(MAX_PARAM_STRING);
    expect(huge.report[0]).toMatch(/was cut to/);
  });
});
