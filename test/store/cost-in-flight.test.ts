import { describe, expect, it } from 'vitest';
import type { CostEstimate } from '../../app/store/cost';
import { withJobsInFlight } from '../../app/store/cost-in-flight';

const plan = {
  ok: true,
  issues: [],
  order: ['g1', 'g2', 'g3'],
  nodes: new Map([
    ['g1', { cacheKey: 'k1' }],
    ['g2', { cacheKey: 'k2' }],
    ['g3', { cacheKey: 'k3' }],
  ]),
};
const estimate: CostEstimate = {
  priceUsd: 0.04,
  items: [
    { nodeId: 'g1', title: 'A', maxImages: 3, cached: false, costUsd: 0.12 },
    { nodeId: 'g2', title: 'B', maxImages: 2, cached: false, costUsd: 0.08 },
    { nodeId: 'g3', title: 'C', maxImages: 4, cached: true, costUsd: 0 },
  ],
  totalUsd: 0.2,
  paidJobs: 2,
};

describe('withJobsInFlight', () => {
  it('charges nothing for work already running and counts only what would be submitted', () => {
    const next = withJobsInFlight(estimate, plan, ['k2', 'k3']);
    expect(next.items.map((i) => [i.nodeId, i.inFlight ?? false, i.costUsd])).toEqual([
      ['g1', false, 0.12],
      ['g2', true, 0],
      ['g3', false, 0],
    ]);
    expect(next.paidJobs).toBe(1);
    expect(next.totalUsd).toBeCloseTo(0.12);
  });

  it('leaves the estimate alone when nothing is in flight', () => {
    expect(withJobsInFlight(estimate, plan, [])).toBe(estimate);
  });
});
