import { describe, expect, it } from 'vitest';
import type { JobMeta } from '../../app/graph/generation';
import { HISTORY_ENTRY_VERSION, type HistoryEntry } from '../../app/store/history-entry';
import type { NodeResult } from '../../app/store/run-reducer';
import { splitForKey } from '../../app/ui/frames/compare/CompareSlider';
import { frameFileName } from '../../app/ui/frames/frame-file-name';
import { CURRENT_RUN, nodeRuns, originOf, runIndexOf } from '../../app/ui/frames/frame-runs';
import type { KeyLike } from '../../app/store/shortcuts';
import { lightboxAction } from '../../app/ui/frames/lightbox-keys';
import { compareStart, factsView, resolveFrame, runLabel } from '../../app/ui/frames/lightbox-model';
import { testImages } from '../fixtures/fake-run-context';

const MODEL = 'bytedance/seedream-4-5/edit-sequential';

function entry(requestId: string, finishedAt: number, over: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    v: HISTORY_ENTRY_VERSION,
    id: requestId,
    requestId,
    model: MODEL,
    nodeId: 'gen',
    cacheKey: `key-${requestId}`,
    params: { maxImages: 2, seed: 7, resolution: '2048x2048 (1:1)' },
    prompt: `prompt of ${requestId}`,
    references: [],
    costUsd: 0.08,
    finishedAt,
    images: testImages(2, finishedAt),
    outputUrls: [],
    source: 'run',
    ...over,
  };
}

function result(requestId: string | undefined, images = testImages(3, 900), cacheKey = 'key-now'): NodeResult {
  const job: JobMeta | undefined = requestId
    ? {
        jobId: `job-${requestId}`,
        requestId,
        outputUrls: [],
        request: { model: MODEL, prompt: 'now', references: 1, params: { maxImages: 3, seed: 42, resolution: '2560x1440 (16:9)' } },
        costUsd: 0.12,
        missing: [],
        reused: false,
      }
    : undefined;
  return { outputs: { images }, meta: job ? { job } : {}, cacheKey, cached: false };
}

describe('nodeRuns', () => {
  it('lists a paid node’s history oldest first and adds the shown result last when the history lacks it', () => {
    const shown = result('req-3');
    const runs = nodeRuns({
      nodeId: 'gen',
      result: shown,
      images: shown.outputs.images as never,
      paidModel: MODEL,
      history: [entry('req-2', 20), entry('req-1', 10), entry('other', 15, { nodeId: 'gen2' }), entry('wrong-model', 5, { model: 'x' })],
    });
    expect(runs.map((r) => [r.key, r.current])).toEqual([
      ['req-1', false],
      ['req-2', false],
      ['req-3', true],
    ]);
    expect(runs[2]!.facts).toMatchObject({ requestId: 'req-3', jobId: 'job-req-3', seed: 42, resolution: '2560x1440 (16:9)', costUsd: 0.12 });
    expect(runs[0]!.facts).toMatchObject({ requestId: 'req-1', seed: 7, prompt: 'prompt of req-1', costUsd: 0.08, finishedAt: 10 });
  });

  it('marks the history entry of the shown result current, keeping the result’s frames and the entry’s time', () => {
    const shown = result('req-2');
    const runs = nodeRuns({
      nodeId: 'gen',
      result: shown,
      images: shown.outputs.images as never,
      paidModel: MODEL,
      history: [entry('req-1', 10), entry('req-2', 20)],
      jobIds: new Map([['req-1', 'job-a']]),
    });
    expect(runs.map((r) => [r.key, r.current, r.images.length])).toEqual([
      ['req-1', false, 2],
      ['req-2', true, 3],
    ]);
    expect(runs[1]!.facts).toMatchObject({ finishedAt: 20, jobId: 'job-req-2', seed: 42 });
    expect(runs[0]!.facts.jobId).toBe('job-a');
  });

  it('finds earlier runs under the shown result’s cache key when the node id changed', () => {
    const shown = result('req-9', undefined, 'same-work');
    const runs = nodeRuns({
      nodeId: 'gen',
      result: shown,
      images: shown.outputs.images as never,
      paidModel: MODEL,
      history: [entry('req-8', 10, { nodeId: 'old-id', cacheKey: 'same-work' })],
    });
    expect(runs.map((r) => r.key)).toEqual(['req-8', 'req-9']);
  });

  it('gives an unpaid node its current result only', () => {
    const shown = result(undefined);
    const runs = nodeRuns({ nodeId: 'gen', result: shown, images: shown.outputs.images as never, paidModel: undefined, history: [entry('req-1', 10)] });
    expect(runs.map((r) => [r.key, r.current])).toEqual([[CURRENT_RUN, true]]);
    expect(nodeRuns({ nodeId: 'gen', result: undefined, images: [], paidModel: undefined, history: [] })).toEqual([]);
  });
});

describe('runIndexOf', () => {
  const runs = nodeRuns({ nodeId: 'gen', result: undefined, images: [], paidModel: MODEL, history: [entry('a', 1), entry('b', 2)] });
  it('picks the chosen run, else the shown one, else the newest', () => {
    expect(runIndexOf(runs, 'a')).toBe(0);
    expect(runIndexOf(runs, 'gone')).toBe(1);
    expect(runIndexOf(runs, undefined)).toBe(1);
  });
});

describe('originOf', () => {
  it('finds the source holding the same image and its frame number', () => {
    const images = testImages(3, 1);
    const sources = [
      { name: 'x', images: testImages(2, 50) },
      { name: 'gen', images },
    ];
    expect(originOf(images[2]!, sources, (s) => s.images)).toEqual({ source: sources[1], frame: 3 });
    expect(originOf(testImages(1, 99)[0]!, sources, (s) => s.images)).toBeUndefined();
  });
});

describe('lightbox model', () => {
  const history = [entry('req-1', 10), entry('req-2', 20, { images: testImages(1, 77) })];
  const runs = nodeRuns({ nodeId: 'gen', result: undefined, images: [], paidModel: MODEL, history });
  const data = {
    runsOf: (id: string) => (id === 'gen' ? runs : []),
    titleOf: (id: string) => (id === 'gen' ? 'Storyboard' : id),
    originOf: () => undefined,
  };

  it('resolves a pointer, clamping the frame to its run, and labels the run', () => {
    const f = resolveFrame(data, { nodeId: 'gen', runKey: 'req-2', index: 5 })!;
    expect([f.runIndex, f.index, f.paid]).toEqual([1, 0, true]);
    expect(runLabel(f, false)).toBe('run 2 of 2');
    expect(runLabel(f)).toMatch(/^run 2 of 2 — /);
    expect(resolveFrame(data, { nodeId: 'none', index: 0 })).toBeUndefined();
  });

  it('starts a comparison on the next frame, or on another run when the run has one frame', () => {
    expect(compareStart(resolveFrame(data, { nodeId: 'gen', runKey: 'req-1', index: 1 })!)).toEqual({ nodeId: 'gen', runKey: 'req-1', index: 0 });
    expect(compareStart(resolveFrame(data, { nodeId: 'gen', runKey: 'req-2', index: 0 })!)).toEqual({ nodeId: 'gen', runKey: 'req-1', index: 0 });
  });

  it('gives a frame its run’s facts and the request’s frame count', () => {
    const view = factsView(data, resolveFrame(data, { nodeId: 'gen', runKey: 'req-1', index: 1 })!, { width: 8, height: 4 }, 'A');
    expect(view).toMatchObject({
      label: 'A',
      nodeTitle: 'Storyboard',
      frame: 2,
      frames: 2,
      run: 'run 1 of 2',
      requestFrames: 2,
      size: { width: 8, height: 4 },
    });
    expect(view.facts).toMatchObject({ requestId: 'req-1', seed: 7 });
  });
});

describe('lightboxAction', () => {
  const key = (k: string, o: Partial<{ shiftKey: boolean; ctrlKey: boolean; target: object }> = {}): KeyLike => ({
    key: k,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    shiftKey: false,
    ...o,
    target: (o.target ?? null) as KeyLike['target'],
  });
  const slider = { tagName: 'DIV', getAttribute: (n: string) => (n === 'role' ? 'slider' : null) };
  const field = { tagName: 'INPUT', type: 'text', getAttribute: () => null };

  it.each([
    ['ArrowRight', {}, 'next-frame'],
    ['ArrowLeft', {}, 'prev-frame'],
    ['ArrowRight', { shiftKey: true }, 'next-run'],
    ['ArrowLeft', { shiftKey: true }, 'prev-run'],
    ['c', {}, 'compare'],
    ['C', {}, 'compare'],
    ['v', {}, 'compare-view'],
    ['Escape', {}, 'close'],
    ['Escape', { target: field }, 'close'],
    ['ArrowRight', { target: slider }, undefined],
    ['ArrowLeft', { target: slider, shiftKey: true }, 'prev-run'],
    ['c', { target: field }, undefined],
    ['c', { ctrlKey: true }, undefined],
    ['Delete', {}, undefined],
  ] as const)('maps %s %o to %s', (k, o, expected) => {
    expect(lightboxAction(key(k, o as never))).toBe(expected);
  });
});

describe('splitForKey', () => {
  it('moves the divider by steps, pages and to the ends, within 0–100', () => {
    expect(splitForKey('ArrowRight', 50)).toBe(52);
    expect(splitForKey('ArrowLeft', 1)).toBe(0);
    expect(splitForKey('PageUp', 95)).toBe(100);
    expect(splitForKey('Home', 40)).toBe(0);
    expect(splitForKey('End', 40)).toBe(100);
    expect(splitForKey('Enter', 40)).toBeUndefined();
  });
});

describe('frameFileName', () => {
  it('names a frame by node title, request and padded number', () => {
    expect(frameFileName({ title: 'Seedream 4.5 Edit Sequential', requestId: 'req-8F2C', frame: 2, frames: 4, mime: 'image/png' })).toBe(
      'seedream-4-5-edit-sequential-req-8f2c-02.png',
    );
    expect(frameFileName({ title: '  ***  ', frame: 12, frames: 120, mime: 'image/jpeg' })).toBe('frame-012.jpg');
  });
});
