import { describe, expect, it } from 'vitest';
import { registry } from '../../nodes';
import { DEFAULT_SEED, MAX_SEED, MIN_SEED } from '../../app/model/seedream';
import { nextSeed, seedsOf, seedVariations, type SeedMode } from '../../app/store/seed-control';
import { chainedWorkflow, paidWorkflow } from '../fixtures/studio-store';

const bounds = { min: MIN_SEED, max: MAX_SEED };

describe('seed control', () => {
  it.each<[SeedMode, number, number]>([
    ['fixed', 41, 41],
    ['increment', 41, 42],
    ['decrement', 41, 40],
    ['increment', MAX_SEED, MAX_SEED],
    ['decrement', MIN_SEED, MIN_SEED],
  ])('moves a seed of %s from %i to %i after a queued run, as ComfyUI clamps it', (mode, value, next) => {
    expect(nextSeed(mode, { value, ...bounds }, () => 0.5)).toBe(next);
  });

  it('randomizes within the bounds of the seed param when randomize is chosen', () => {
    expect(nextSeed('randomize', { value: 5, ...bounds }, () => 0)).toBe(MIN_SEED);
    expect(nextSeed('randomize', { value: 5, ...bounds }, () => 1 - Number.EPSILON)).toBe(MAX_SEED);
    expect(nextSeed('randomize', { value: 5, min: 10, max: 12 }, () => 0.5)).toBe(11);
  });

  it('reads the seed params, their bounds and defaults from the node kinds (the Seedream seed widget)', () => {
    expect(seedsOf(chainedWorkflow(), registry)).toEqual([
      { nodeId: 'gen1', param: 'seed', value: DEFAULT_SEED, min: MIN_SEED, max: MAX_SEED },
      { nodeId: 'gen2', param: 'seed', value: DEFAULT_SEED, min: MIN_SEED, max: MAX_SEED },
    ]);
  });

  it('gives Queue ×3 with decrement the seeds s, s-1, s-2 and leaves the graph at s-3', () => {
    const wf = paidWorkflow(2);
    wf.nodes.find((n) => n.id === 'gen')!.params.seed = 500;
    const v = seedVariations(wf, registry, 3, 'decrement');
    expect(v.seeds).toEqual([[500], [499], [498]]);
    expect(v.snapshots[0]).toBe(wf);
    expect(v.snapshots.map((s) => s.nodes.find((n) => n.id === 'gen')!.params.seed)).toEqual([500, 499, 498]);
    expect(v.after.nodes.find((n) => n.id === 'gen')!.params.seed).toBe(497);
  });

  it('keeps the graph as it is with fixed seeds (every snapshot the same graph)', () => {
    const wf = paidWorkflow(2);
    const v = seedVariations(wf, registry, 2, 'fixed');
    expect(v.after).toBe(wf);
    expect(v.snapshots).toEqual([wf, wf]);
  });
});
