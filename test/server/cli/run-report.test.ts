import { describe, expect, it } from 'vitest';
import type { CostEstimate, CostItem, CostStatus } from '../../../app/engine/estimate-cost';
import { costLine } from '../../../app/server/cli/run-report';

const item = (status: CostStatus, maxOutputs = 2): CostItem => ({
  nodeId: `n-${status}`,
  title: 'Seedream',
  model: 'm',
  maxOutputs,
  status,
  cached: status === 'cached' || status === 'stored',
  inFlight: status === 'in-flight',
  costUsd: status === 'pay' ? 0.04 * maxOutputs : 0,
  ...(status === 'pay' ? {} : { job: { jobId: `job-${status}`, state: status } }),
});

function estimate(statuses: CostStatus[], priceUsd = 0.04): CostEstimate {
  const items = statuses.map((s) => item(s));
  const paying = items.filter((i) => i.status === 'pay');
  return {
    items,
    priceUsd,
    totalUsd: paying.reduce((n, i) => n + (i.costUsd ?? 0), 0),
    paidJobs: paying.length,
    blocked: items.filter((i) => i.status === 'blocked'),
  };
}

describe('costLine', () => {
  it.each([
    [['pay'], 0, 'Cost: up to $0.08 for 1 paid job.'],
    [['pay', 'pay', 'cached'], 0, 'Cost: up to $0.16 for 2 paid jobs; 1 job reused at $0.'],
    [
      ['stored', 'in-flight', 'partial'],
      0,
      'Cost: $0 (nothing to submit); 1 job reused at $0; 1 job already submitted, collected at $0; 1 job with missing images fetched for free.',
    ],
    [['blocked', 'blocked'], 0, 'Cost: $0 (nothing to submit); 2 jobs not paid again without --repay (up to $0.16 more).'],
    [['pay'], 1, 'Cost: up to $0.08 for 1 paid job; 1 of them paid again by --repay.'],
  ] as const)('%j (%i repaid) → %s', (statuses, repaying, line) => {
    expect(costLine(estimate([...statuses]), repaying)).toBe(line);
  });

  it('says the price is unknown, and why, when the catalog could not be read', () => {
    expect(costLine({ ...estimate(['pay']), priceUsd: undefined, totalUsd: undefined, priceError: 'The price could not be read: HTTP 503' }, 0)).toBe(
      'Cost: price unknown (The price could not be read: HTTP 503) for 1 paid job.',
    );
  });
});
