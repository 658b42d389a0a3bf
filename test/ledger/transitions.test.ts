import { describe, expect, it } from 'vitest';
import { applyJobEvent, canMove, JOB_STATES, LedgerTransitionError, parseJobRecord, type JobRecord, type JobState } from '../../app/ledger';

const base: JobRecord = {
  v: 1,
  jobId: 'j1',
  rev: 0,
  provider: 'fake',
  endpoint: 'https://fake.api/v1',
  model: 'm',
  nodeId: 'n1',
  cacheKey: 'k',
  sent: { url: 'u', bodyBytes: 1, images: [], prompt: 'p', params: {} },
  referenceHashes: [],
  maxOutputs: 2,
  state: 'intent',
  partial: false,
  createdAt: 0,
  updatedAt: 0,
  outputs: [],
};
const at = (state: JobState, extra: Partial<JobRecord> = {}): JobRecord => ({ ...base, state, ...extra });

describe('applyJobEvent', () => {
  it.each([
    ['intent', { type: 'submitted', requestId: 'r1' }, 'submitted'],
    ['intent', { type: 'submit-unknown', message: 'm' }, 'unknown-submission'],
    ['intent', { type: 'intent-orphaned', message: 'm' }, 'unknown-submission'],
    ['intent', { type: 'submit-refused', code: 'auth', message: 'm' }, 'failed'],
    ['submitted', { type: 'observed', state: 'queued', queuePosition: 3 }, 'queued'],
    ['queued', { type: 'observed', state: 'running' }, 'running'],
    ['running', { type: 'succeeded', outputUrls: ['a', 'b'] }, 'completed'],
    ['running', { type: 'failed', code: 'job-failed', message: 'm' }, 'failed'],
    ['queued', { type: 'cancelled', message: 'm' }, 'cancelled'],
    ['running', { type: 'lost', message: 'm' }, 'lost'],
  ] as const)('moves %s on %o to %s', (from, event, to) => {
    expect(applyJobEvent(at(from), event, 5).state).toBe(to);
  });

  it('ignores a read that lags behind (queued after running)', () => {
    const r = at('running');
    expect(applyJobEvent(r, { type: 'observed', state: 'queued' }, 5)).toBe(r);
  });

  it.each([
    ['stored', { type: 'submitted', requestId: 'r' }],
    ['cancelled', { type: 'failed', code: 'job-failed', message: 'm' }],
    ['unknown-submission', { type: 'submitted', requestId: 'r' }],
    ['failed', { type: 'succeeded', outputUrls: ['a'] }],
    ['intent', { type: 'succeeded', outputUrls: ['a'] }],
    ['queued', { type: 'output-stored', index: 0, assetId: 'a' }],
  ] as const)('refuses %s on %o', (from, event) => {
    expect(() => applyJobEvent(at(from), event, 5)).toThrow(LedgerTransitionError);
  });

  it('settles downloads as stored, partial, expired or still completed', () => {
    const done = applyJobEvent(at('running'), { type: 'succeeded', outputUrls: ['a', 'b'] }, 1);
    const one = applyJobEvent(done, { type: 'output-stored', index: 0, assetId: 'x' }, 2);
    const partial = applyJobEvent(applyJobEvent(one, { type: 'output-failed', index: 1, error: 'e', expired: false }, 3), { type: 'downloads-settled' }, 4);
    expect([partial.state, partial.partial]).toEqual(['stored', true]);
    const gone = [0, 1].reduce((r, index) => applyJobEvent(r, { type: 'output-failed', index, error: 'gone', expired: true }, 3), done);
    expect(applyJobEvent(gone, { type: 'downloads-settled' }, 4).state).toBe('outputs-expired');
    const flaky = applyJobEvent(done, { type: 'output-failed', index: 0, error: 'reset', expired: false }, 3);
    const settled = applyJobEvent(flaky, { type: 'downloads-settled' }, 4);
    expect([settled.state, settled.partial]).toEqual(['completed', true]);
  });

  it('bumps the revision and stamps the time on every change', () => {
    const r = applyJobEvent(at('intent'), { type: 'submitted', requestId: 'r1' }, 42);
    expect([r.rev, r.updatedAt, r.submittedAt, r.requestId]).toEqual([1, 42, 42, 'r1']);
  });

  it('has an entry for every state', () => {
    for (const s of JOB_STATES) expect(typeof canMove(s, 'stored')).toBe('boolean');
  });
});

describe('parseJobRecord', () => {
  it('accepts a record and names the field of a broken one', () => {
    expect(parseJobRecord(base).ok).toBe(true);
    const bad = parseJobRecord({ ...base, state: 'flying' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problem).toContain('state');
  });
});
