import { describe, expect, it } from 'vitest';
import { ProgressReporter } from '../../../app/server/cli/progress';

describe('ProgressReporter', () => {
  it('prints one line per change with queue position, request id and elapsed time', () => {
    const lines: string[] = [];
    let now = 0;
    const r = new ProgressReporter(
      (l) => lines.push(l),
      () => now,
    );
    const base = { runId: 'r' };
    const jobMeta = {
      jobId: 'j1',
      requestId: 'q1',
      outputUrls: [],
      request: { model: 'm', prompt: 'p', references: 1, params: {} },
      costUsd: 0.12,
    };
    r.onEvent({ ...base, type: 'node-start', nodeId: 'gen', at: 0, cacheKey: 'k' });
    now = 1_000;
    r.onEvent({ ...base, type: 'node-progress', nodeId: 'gen', at: now, detail: { phase: 'queued', requestId: 'q1', queuePosition: 2 } });
    now = 2_000; // the same state again is folded
    r.onEvent({ ...base, type: 'node-progress', nodeId: 'gen', at: now, detail: { phase: 'queued', requestId: 'q1', queuePosition: 2 } });
    now = 3_000;
    r.onEvent({ ...base, type: 'node-progress', nodeId: 'gen', at: now, detail: { phase: 'running', requestId: 'q1' } });
    now = 15_000; // unchanged, but 10 s later: a heartbeat line
    r.onEvent({ ...base, type: 'node-progress', nodeId: 'gen', at: now, detail: { phase: 'running', requestId: 'q1' } });
    r.onEvent({ ...base, type: 'node-done', nodeId: 'gen', at: now, durationMs: 15_000, cacheKey: 'k', outputs: {}, meta: { job: jobMeta } });
    r.onEvent({
      ...base,
      type: 'node-error',
      nodeId: 'other',
      at: now,
      durationMs: 1,
      error: { code: 'still-running', message: 'still running', requestId: 'q2' },
    });
    r.onEvent({ ...base, type: 'node-skipped', nodeId: 'save', at: now, reason: 'upstream-failed', because: 'other' });
    expect(lines).toEqual([
      '[gen] started',
      '[gen] queued, position 2, request q1 — 1.0s',
      '[gen] running, request q1 — 3.0s',
      '[gen] running, request q1 — 15.0s',
      '[gen] done in 15.0s (request q1, $0.12)',
      '[other] FAILED: still running (request q2)',
      '[save] skipped (other failed)',
    ]);
  });

  it('says "stopped" for a node the run stopped, and names a request once when the message already does', () => {
    const lines: string[] = [];
    const r = new ProgressReporter(
      (l) => lines.push(l),
      () => 2_000,
    );
    const base = { runId: 'r', at: 0 };
    r.onEvent({ ...base, type: 'node-start', nodeId: 'gen', cacheKey: 'k' });
    const retry = 'The API answered HTTP 429 — still following request q1 (it may be running and billed); next try in 5 s';
    r.onEvent({ ...base, type: 'node-progress', nodeId: 'gen', detail: { phase: 'queued', requestId: 'q1', retrying: 'HTTP 429' }, message: retry });
    r.onEvent({
      ...base,
      type: 'node-error',
      nodeId: 'gen',
      durationMs: 1,
      error: { code: 'aborted', message: 'The run was stopped before this node finished.' },
    });
    r.onEvent({ ...base, type: 'node-error', nodeId: 'other', durationMs: 1, error: { code: 'job-failed', message: 'request q2 failed', requestId: 'q2' } });
    expect(lines).toEqual(['[gen] started', `[gen] queued (2.0s): ${retry}`, '[gen] stopped', '[other] FAILED: request q2 failed']);
  });
});
