import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../app/engine/events';
import { idleRun, markStopping, reduceRunEvent, type NodeResult, type RunState, type RunView } from '../../app/store/run-reducer';
import { testImages } from '../fixtures/fake-run-context';

const base = { runId: 'r1', at: 0 };
function fold(events: RunEvent[], start: RunState = idleRun, results: Record<string, NodeResult> = {}) {
  let state: RunView = { run: start, results, jobs: {} };
  for (const e of events) state = reduceRunEvent(state, e);
  return state;
}
const step = (run: RunState, e: RunEvent) => reduceRunEvent({ run, results: {}, jobs: {} }, e);

describe('reduceRunEvent', () => {
  it('marks every planned node waiting when the run starts', () => {
    const { run } = fold([{ ...base, type: 'run-start', nodeIds: ['a', 'b'] }]);
    expect(run.phase).toBe('running');
    expect(run.nodes).toEqual({ a: { status: 'waiting' }, b: { status: 'waiting' } });
  });

  it('shows a queued job with its queue position, then running', () => {
    const { run } = fold([
      { ...base, type: 'run-start', nodeIds: ['gen'] },
      { ...base, at: 5, type: 'node-start', nodeId: 'gen', cacheKey: 'k' },
      { ...base, type: 'node-progress', nodeId: 'gen', detail: { phase: 'queued', requestId: 'req-1', queuePosition: 3 }, message: 'In queue' },
    ]);
    expect(run.nodes.gen).toMatchObject({ status: 'queued', queuePosition: 3, requestId: 'req-1', startedAt: 5 });
    const next = step(run, { ...base, type: 'node-progress', nodeId: 'gen', detail: { phase: 'running' } }).run;
    expect(next.nodes.gen).toMatchObject({ status: 'running', requestId: 'req-1' });
    expect(next.nodes.gen!.queuePosition).toBeUndefined();
  });

  it('keeps outputs with the cache key they were made under when a node is done or cached', () => {
    const images = testImages(2);
    const { run, results } = fold([
      { ...base, type: 'run-start', nodeIds: ['a', 'gen'] },
      { ...base, type: 'node-cached', nodeId: 'a', cacheKey: 'ka', outputs: { image: images[0]! }, meta: {} },
      { ...base, type: 'node-start', nodeId: 'gen', cacheKey: 'kg' },
      { ...base, type: 'node-done', nodeId: 'gen', durationMs: 1200, cacheKey: 'kg', outputs: { images }, meta: { requestId: 'r' } },
    ]);
    expect(run.nodes.a!.status).toBe('cached');
    expect(run.nodes.gen).toMatchObject({ status: 'done', durationMs: 1200 });
    expect(results.gen).toMatchObject({ cacheKey: 'kg', cached: false, outputs: { images } });
    expect(results.a).toMatchObject({ cacheKey: 'ka', cached: true });
  });

  it('keeps the error with its field on the node when a node fails', () => {
    const { run } = fold([
      { ...base, type: 'run-start', nodeIds: ['gen', 'view'] },
      { ...base, type: 'node-start', nodeId: 'gen', cacheKey: 'k' },
      { ...base, type: 'node-error', nodeId: 'gen', durationMs: 3, error: { code: 'prompt-empty', message: 'Write a prompt', field: 'prompt' } },
      { ...base, type: 'node-skipped', nodeId: 'view', reason: 'upstream-failed', because: 'gen' },
    ]);
    expect(run.nodes.gen).toMatchObject({ status: 'error', error: { field: 'prompt' } });
    expect(run.nodes.view).toMatchObject({ status: 'skipped', skipReason: 'upstream-failed', because: 'gen' });
  });

  it('changes only the object of the node an event names', () => {
    const { run } = fold([{ ...base, type: 'run-start', nodeIds: ['a', 'b'] }]);
    const next = step(run, { ...base, type: 'node-start', nodeId: 'a', cacheKey: 'k' }).run;
    expect(next.nodes.b).toBe(run.nodes.b);
    expect(next.nodes.a).not.toBe(run.nodes.a);
  });

  it('ignores events of another run', () => {
    const { run } = fold([{ ...base, type: 'run-start', nodeIds: ['a'] }]);
    const next = step(run, { runId: 'old', at: 0, type: 'node-start', nodeId: 'a', cacheKey: 'k' });
    expect(next.run).toBe(run);
  });

  it('marks the nodes queued or running when Stop is pressed, and keeps the mark through their abort', () => {
    const { run } = fold([
      { ...base, type: 'run-start', nodeIds: ['g1', 'g2'] },
      { ...base, type: 'node-start', nodeId: 'g1', cacheKey: 'k1' },
      { ...base, type: 'node-progress', nodeId: 'g1', detail: { phase: 'running', requestId: 'x' } },
      { ...base, type: 'node-start', nodeId: 'g2', cacheKey: 'k2' },
      { ...base, type: 'node-progress', nodeId: 'g2', detail: { phase: 'queued', requestId: 'y', queuePosition: 1 } },
    ]);
    const stopping = markStopping(run);
    expect(stopping.phase).toBe('stopping');
    expect(stopping.nodes.g1).toMatchObject({ stopped: true });
    expect(stopping.nodes.g2).toMatchObject({ stopped: true });
    const after = fold(
      [
        { ...base, type: 'node-error', nodeId: 'g1', durationMs: 9, error: { code: 'aborted', message: 'stopped' } },
        { ...base, type: 'run-done', durationMs: 9, status: 'aborted', counts: { planned: 2, done: 0, cached: 0, failed: 2, skipped: 0 }, issues: [] },
      ],
      stopping,
    ).run;
    expect(after.nodes.g1).toMatchObject({ status: 'error', stopped: true, phase: 'running' });
    expect(after.phase).toBe('aborted');
  });
});
