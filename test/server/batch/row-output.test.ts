import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../app/engine/events';
import type { JobRecord } from '../../../app/ledger';
import { requestsOf } from '../../../app/server/batch/row-output';

const record = (jobId: string, over: Partial<JobRecord> = {}): JobRecord =>
  ({
    v: 1,
    jobId,
    rev: 4,
    provider: 'runcomfy',
    endpoint: 'https://model-api.runcomfy.net/v1',
    model: 'bytedance/seedream-4-5/edit-sequential',
    nodeId: 'edit',
    cacheKey: `key-${jobId}`,
    runId: 'batch-1/0001',
    sent: { prompt: 'Generate 1 image', params: { maxImages: 1 } },
    referenceHashes: ['abc'],
    maxOutputs: 1,
    state: 'stored',
    partial: false,
    requestId: `req-${jobId}`,
    createdAt: 1,
    updatedAt: 2,
    outputs: [{ index: 0, url: `https://cdn.example/${jobId}.png`, assetId: `asset-${jobId}` }],
    costUsd: 0.04,
    ...over,
  }) as JobRecord;

const summary = (jobIds: string[]): RunSummary => ({
  runId: 'batch-1/0001',
  status: 'succeeded',
  durationMs: 400,
  counts: { done: jobIds.length, cached: 0, failed: 0, skipped: 0 } as RunSummary['counts'],
  issues: [],
  nodes: new Map(
    jobIds.map((jobId, i) => [
      `edit${i}`,
      {
        status: 'done' as const,
        cacheKey: `key-${jobId}`,
        outputs: {},
        meta: { job: { jobId, requestId: `req-${jobId}`, outputUrls: [], request: { model: 'm', prompt: 'p', references: 1, params: {} } } },
      },
    ]),
  ),
});

describe('requestsOf', () => {
  it('reports the jobs a row just followed from the ledger memory, reading the store only for the others', async () => {
    const gets: string[] = [];
    const recent = new Map([['job-a', record('job-a')]]);
    const ledger = {
      get: async (jobId: string) => {
        gets.push(jobId);
        return record(jobId, { runId: 'an earlier run' });
      },
      recentRecord: (jobId: string) => recent.get(jobId),
    };
    const out = await requestsOf(summary(['job-a']), ['job-b'], ledger, 'batch-1/0001');
    expect(gets).toEqual(['job-b']);
    expect(out.map((r) => [r.jobId, r.requestId, r.nodeId, r.reused ?? false])).toEqual([
      ['job-a', 'req-job-a', 'edit0', false],
      // Seen only in progress and from another run: reused, under the node its record names.
      ['job-b', 'req-job-b', 'edit', true],
    ]);
    expect(out[0]).toMatchObject({ state: 'stored', billing: 'billed', costUsd: 0.04, outputUrls: ['https://cdn.example/job-a.png'] });
  });

  it('reads every job from the store when the ledger keeps no records (and leaves out those it cannot read)', async () => {
    const ledger = { get: async (jobId: string) => (jobId === 'job-a' ? record(jobId) : Promise.reject(new Error('disk gone'))) };
    const out = await requestsOf(summary(['job-a', 'job-b']), [], ledger, 'batch-1/0001');
    expect(out.map((r) => r.jobId)).toEqual(['job-a']);
  });
});
