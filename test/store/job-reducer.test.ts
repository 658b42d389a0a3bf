import { describe, expect, it } from 'vitest';
import type { ImageRef } from '../../app/graph/ports';
import { reduceLedgerUpdate, rekeyJobs, seedJobs, type JobContext } from '../../app/store/job-reducer';
import { idleRun, reduceRunEvent, type RunView } from '../../app/store/run-reducer';
import { jobRecord, storedRecord } from '../fixtures/job-records';

const record = jobRecord;
const stored = storedRecord;

const ctx = (keys: Record<string, string> = { gen: 'key-gen', other: 'key-other' }): JobContext => ({
  cacheKeys: new Map(Object.entries(keys)),
  outputsOf: (_nodeId, images: ImageRef[]) => ({ images }),
});
const empty: RunView = { run: idleRun, results: {}, jobs: {} };

describe('reduceLedgerUpdate', () => {
  it('shows a job on the node whose current cache key is its work, even with no run', () => {
    const v = reduceLedgerUpdate(empty, { record: record('j1'), message: 'Request req-j1 is queued' }, ctx());
    expect(v.jobs.j1).toMatchObject({ record: { state: 'queued' }, message: 'Request req-j1 is queued' });
    expect(v.run.nodes.gen).toMatchObject({ status: 'queued', job: { record: { jobId: 'j1' } } });
    expect(v.run.nodes.other).toBeUndefined();
  });

  it('gives only the node whose job moved a new object on a poll update', () => {
    const c = ctx();
    let v = reduceLedgerUpdate(empty, { record: record('j1') }, c);
    v = reduceLedgerUpdate(v, { record: record('j2', { nodeId: 'other', cacheKey: 'key-other' }) }, c);
    const next = reduceLedgerUpdate(v, { record: record('j1', { rev: 1, queuePosition: 2 }) }, c);
    expect(next.run.nodes.gen).not.toBe(v.run.nodes.gen);
    expect(next.run.nodes.gen?.job?.record.queuePosition).toBe(2);
    expect(next.run.nodes.other).toBe(v.run.nodes.other);
    expect(next.results).toBe(v.results);
  });

  it('keeps the job the current run started over an older one of the same work', () => {
    const c = ctx();
    let v: RunView = reduceRunEvent(empty, { type: 'run-start', runId: 'run-2', at: 0, nodeIds: ['gen'] });
    v = reduceLedgerUpdate(v, { record: record('new', { runId: 'run-2', createdAt: 50 }) }, c);
    v = reduceLedgerUpdate(v, { record: record('old', { runId: 'run-1', createdAt: 200, state: 'lost' }) }, c);
    expect(v.run.nodes.gen?.job?.record.jobId).toBe('new');
    expect(v.jobs.old?.record.state).toBe('lost');
  });

  it('puts a stored job outside a run on the node as its result, with its job facts', () => {
    const v = reduceLedgerUpdate(empty, { record: record('j1', { state: 'completed', outputs: [] }) }, ctx());
    const done = reduceLedgerUpdate(v, { record: stored('j1') }, ctx());
    expect(done.run.nodes.gen).toMatchObject({ status: 'done' });
    expect(done.results.gen?.cacheKey).toBe('key-gen');
    expect((done.results.gen?.outputs.images as ImageRef[]).map((i) => (i.kind === 'asset' ? i.assetId : i.url))).toEqual(['a0', 'a1']);
    expect(done.results.gen?.meta.job).toMatchObject({ jobId: 'j1', requestId: 'req-j1', reused: true, missing: [] });
  });

  it('takes a dismissed job off its node', () => {
    const v = reduceLedgerUpdate(empty, { record: record('j1', { state: 'unknown-submission' }) }, ctx());
    expect(v.run.nodes.gen?.job?.record.jobId).toBe('j1');
    const gone = reduceLedgerUpdate(v, { record: record('j1', { state: 'unknown-submission', dismissed: true }) }, ctx());
    expect(gone.run.nodes.gen).toBeUndefined();
  });
});

describe('seedJobs and rekeyJobs', () => {
  it('shows blocked earlier attempts found after a reload on their nodes', () => {
    const v = seedJobs(empty, [record('lost-1', { state: 'lost' })], ctx());
    expect(v.run.nodes.gen).toMatchObject({ status: 'error', job: { record: { state: 'lost' } } });
  });

  it('follows an edit: a node whose cache key changed no longer shows the job of its old work', () => {
    const before = ctx();
    const v = reduceLedgerUpdate(empty, { record: record('j1', { state: 'lost' }) }, before);
    const after = rekeyJobs(v, before.cacheKeys, ctx({ gen: 'key-edited', other: 'key-other' }));
    expect(after.run.nodes.gen).toBeUndefined();
    const back = rekeyJobs(after, new Map([['gen', 'key-edited']]), before);
    expect(back.run.nodes.gen?.job?.record.jobId).toBe('j1');
  });
});
