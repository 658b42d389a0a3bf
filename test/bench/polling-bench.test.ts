import { describe, expect, it } from 'vitest';
import { boundedPollPolicy } from '../../app/api/poll-policy';
import { missedGoals, pollingRows } from './polling-scenarios';
import { guessedEstimate, runJob } from './polling-sim';

describe('polling goals', () => {
  // Fake clock: requests and delays are exact virtual counts, so this is deterministic, not a timing test.
  it('meets every bench goal when run on a smaller seeded sample', async () => {
    const rows = await pollingRows({ mixJobs: 200, longJobs: 60, warmPerClass: 3 });
    expect(missedGoals(rows)).toEqual([]);
  });
});

describe('runJob', () => {
  it('reads status while queued, then the result endpoint, and counts each read once when a job queues then runs', async () => {
    // Queued 5 s, runs 10 s: status at 3 (queued), 6 (running); result at 9, 12, 15 (done at 15).
    const run = await runJob(boundedPollPolicy(guessedEstimate(1_000_000)), { queueMs: 5_000, runMs: 10_000, factors: { maxImages: 1, resolution: '2K' } });
    expect(run).toEqual({ requests: 5, delayMs: 0, measuredRunMs: 15_000 - 1_500 - 3_000 });
  });

  it('reads the result at once when the status endpoint says completed', async () => {
    const run = await runJob(boundedPollPolicy(guessedEstimate(1_000_000)), { queueMs: 0, runMs: 2_000, factors: { maxImages: 1, resolution: '2K' } });
    expect(run.requests).toBe(2);
    expect(run.delayMs).toBe(1_000);
  });
});
