import { describe, expect, it } from 'vitest';
import { MemoryCache } from '../../app/engine/cache';
import { estimateCost } from '../../app/engine/estimate-cost';
import { planRun } from '../../app/engine/plan';
import type { NodeMode, Workflow } from '../../app/graph/workflow-schema';
import { registry as builtins } from '../../nodes';
import { graph } from '../fixtures/graph-builder';
import { idsOf, ofType, runRecorded } from '../fixtures/run-harness';
import { createStubKit, imageNames } from '../fixtures/stub-kinds';

/** src → t (tag x) → sink, with `t` in the given mode. */
const chain = (mode?: NodeMode) =>
  graph()
    .node('src', 'stub.source', { name: 'a' })
    .node('t', 'stub.transform', { tag: 'x' }, mode ? { mode } : {})
    .node('sink', 'stub.sink')
    .edge('src.out', 't.in')
    .edge('t.out', 'sink.in')
    .build();

const withMode = (wf: Workflow, id: string, mode: NodeMode | undefined): Workflow => ({
  ...wf,
  nodes: wf.nodes.map((n) => (n.id === id ? { ...n, ...(mode ? { mode } : {}) } : n)),
});

describe('planRun with muted nodes', () => {
  it('skips a muted node and what needs it, and leaves out what only fed it, when planning', () => {
    const plan = planRun(chain('mute'), createStubKit().registry);
    expect(plan.ok).toBe(true);
    expect(plan.order).toEqual(['t', 'sink']);
    expect([...plan.skipped].map(([id, s]) => [id, s.reason, s.because])).toEqual([
      ['t', 'muted', undefined],
      ['sink', 'muted', 't'],
    ]);
    expect(plan.nodes.size).toBe(0);
  });

  it('reports problems of muted nodes and their dependants as warnings when they would block the run', () => {
    const wf = graph().node('t', 'stub.transform', { tag: 7 }, { mode: 'mute' }).node('sink', 'stub.sink').edge('t.out', 'sink.in').build();
    const plan = planRun(wf, createStubKit().registry);
    expect(plan.ok).toBe(true);
    expect(plan.issues.map((i) => `${i.severity}:${i.code}:${i.nodeId}`)).toEqual(['warning:param-invalid:t', 'warning:input-missing:t']);
  });

  it('runs nothing of a muted branch and emits node-skipped "muted" naming the muted node when running', async () => {
    const kit = createStubKit();
    const wf = graph()
      .node('src', 'stub.source', { name: 'a' })
      .node('m', 'stub.transform', {}, { mode: 'mute' })
      .node('s1', 'stub.sink')
      .node('s2', 'stub.sink')
      .edge('src.out', 'm.in')
      .edge('m.out', 's1.in')
      .edge('src.out', 's2.in')
      .build();
    const { events, summary } = await runRecorded(wf, kit.registry);
    expect(ofType(events, 'node-skipped').map((e) => [e.nodeId, e.reason, e.because])).toEqual([
      ['m', 'muted', undefined],
      ['s1', 'muted', 'm'],
    ]);
    expect(idsOf(events, 'node-start')).toEqual(['src', 's2']);
    expect(kit.calls.get('m')).toBeUndefined();
    expect(summary).toMatchObject({ status: 'succeeded', counts: { planned: 4, done: 2, skipped: 2 } });
  });

  it('marks muted nodes "muted", not "invalid", when the run is blocked by an error elsewhere', async () => {
    const wf = graph()
      .node('m', 'stub.source', {}, { mode: 'mute' })
      .node('s1', 'stub.sink')
      .node('bad', 'stub.transform')
      .node('s2', 'stub.sink')
      .edge('m.out', 's1.in')
      .edge('bad.out', 's2.in')
      .build();
    const { events } = await runRecorded(wf, createStubKit().registry);
    expect(ofType(events, 'node-skipped').map((e) => `${e.nodeId}:${e.reason}`)).toEqual(['m:muted', 's1:muted', 'bad:invalid', 's2:invalid']);
  });
});

describe('planRun with bypassed nodes', () => {
  it('passes the input of the output type on instead of running the node when running', async () => {
    const kit = createStubKit();
    const { events, summary } = await runRecorded(chain('bypass'), kit.registry);
    expect(imageNames(kit.received.get('sink')?.in)).toEqual(['a']);
    expect(kit.calls.get('t')).toBeUndefined();
    expect(ofType(events, 'node-skipped').map((e) => [e.nodeId, e.reason])).toEqual([['t', 'bypassed']]);
    expect(summary.status).toBe('succeeded');
  });

  it('passes through a chain of bypassed nodes in merge order when running', async () => {
    const kit = createStubKit();
    const wf = graph()
      .node('a', 'stub.source', { name: 'a' })
      .node('b', 'stub.source', { name: 'b' })
      .node('j', 'stub.join', {}, { mode: 'bypass' })
      .node('t', 'stub.transform', {}, { mode: 'bypass' })
      .node('sink', 'stub.sink')
      .edge('b.out', 'j.images', { order: 1 })
      .edge('a.out', 'j.images', { order: 0 })
      .edge('j.out', 't.in')
      .edge('t.out', 'sink.in')
      .build();
    await runRecorded(wf, kit.registry);
    expect(imageNames(kit.received.get('sink')?.in)).toEqual(['a', 'b']);
  });

  it('reports an input that a bypassed node has nothing to pass to, naming the node, when planning', () => {
    const wf = graph().node('src', 'stub.source', {}, { mode: 'bypass' }).node('sink', 'stub.sink').edge('src.out', 'sink.in').build();
    const plan = planRun(wf, createStubKit().registry);
    expect(plan.ok).toBe(false);
    expect(plan.issues).toMatchObject([{ severity: 'error', code: 'bypass-passes-nothing', nodeId: 'sink', field: 'in' }]);
    expect(plan.issues[0]!.message).toBe(
      'Input "in" of Stub Sink gets nothing: Stub Source is bypassed and it has no input of type image to pass on. Link one, or stop bypassing it.',
    );
  });

  it('ignores the params of a bypassed node when they are invalid', () => {
    const { registry } = createStubKit();
    const bypassed = chain('bypass');
    const invalid = { ...bypassed, nodes: bypassed.nodes.map((n) => (n.id === 't' ? { ...n, params: { tag: 7 } } : n)) };
    const plan = planRun(invalid, registry);
    expect(plan.ok).toBe(true);
    expect(plan.issues.map((i) => `${i.severity}:${i.code}`)).toEqual(['warning:param-invalid']);
    expect(plan.nodes.get('sink')!.cacheKey).toBe(planRun(bypassed, registry).nodes.get('sink')!.cacheKey);
  });

  it('changes the cache keys downstream, and only downstream, when a node is bypassed', () => {
    const { registry } = createStubKit();
    const normal = planRun(chain(), registry);
    const bypassed = planRun(chain('bypass'), registry);
    expect(bypassed.nodes.get('src')!.cacheKey).toBe(normal.nodes.get('src')!.cacheKey);
    expect(bypassed.nodes.get('t')!.cacheKey).not.toBe(normal.nodes.get('t')!.cacheKey);
    expect(bypassed.nodes.get('sink')!.cacheKey).not.toBe(normal.nodes.get('sink')!.cacheKey);
    // The bypassed node's own params do not reach the keys below it.
    const retagged = planRun(
      { ...chain('bypass'), nodes: chain('bypass').nodes.map((n) => (n.id === 't' ? { ...n, params: { tag: 'other' } } : n)) },
      registry,
    );
    expect(retagged.nodes.get('sink')!.cacheKey).toBe(bypassed.nodes.get('sink')!.cacheKey);
    expect(planRun(withMode(chain(), 't', 'bypass'), registry).nodes.get('sink')!.cacheKey).toBe(bypassed.nodes.get('sink')!.cacheKey);
  });
});

/** Two references → Seedream (prompt from a Prompt node) → Select → Preview, plus a second Seedream → Preview. */
function seedreamBoard(modes: Record<string, NodeMode> = {}): Workflow {
  const image = { kind: 'url', url: 'https://example.com/ref.png' };
  const opt = (id: string) => (modes[id] ? { mode: modes[id] } : {});
  return graph()
    .node('ref1', 'image.load', { image }, opt('ref1'))
    .node('ref2', 'image.load', { image }, opt('ref2'))
    .node('prompt', 'text.prompt', { text: 'Generate 3 images of a kite' }, opt('prompt'))
    .node('gen', 'seedream.edit-sequential', { maxImages: 3 }, opt('gen'))
    .node('pick', 'image.select', { frames: '1' }, opt('pick'))
    .node('view', 'image.preview', {}, opt('view'))
    .node('gen2', 'seedream.edit-sequential', { prompt: 'Generate 2 images at night', maxImages: 2 }, opt('gen2'))
    .node('view2', 'image.preview', {}, opt('view2'))
    .edge('ref1.image', 'gen.images', { order: 0 })
    .edge('ref2.image', 'gen.images', { order: 1 })
    .edge('prompt.text', 'gen.prompt')
    .edge('gen.images', 'pick.images')
    .edge('pick.images', 'view.images')
    .edge('ref1.image', 'gen2.images')
    .edge('gen2.images', 'view2.images')
    .build();
}

describe('planRun with a bypassed Seedream', () => {
  it('passes the reference images on, and leaves out its prompt, when planning', () => {
    const plan = planRun(seedreamBoard({ gen: 'bypass' }), builtins);
    expect(plan.ok).toBe(true);
    expect(plan.nodes.get('gen')).toMatchObject({ bypass: { images: 'images' }, upstream: ['ref1', 'ref2'] });
    expect(plan.nodes.get('gen')!.inputs.prompt).toEqual([]);
    expect(plan.order).not.toContain('prompt');
  });

  it('prices a bypassed or muted Seedream at $0, without counting it as a job, when estimating', async () => {
    const deps = { cache: new MemoryCache(), priceUsd: async () => 0.04 };
    const bypassed = await estimateCost(planRun(seedreamBoard({ gen: 'bypass' }), builtins), deps);
    expect(bypassed.items.map((i) => [i.nodeId, i.status, i.costUsd])).toEqual([
      ['gen', 'bypassed', 0],
      ['gen2', 'pay', 0.08],
    ]);
    expect(bypassed).toMatchObject({ paidJobs: 1, totalUsd: 0.08 });
    const muted = await estimateCost(planRun(seedreamBoard({ gen2: 'mute', gen: 'bypass' }), builtins), deps);
    expect(muted.items.map((i) => [i.nodeId, i.status, i.costUsd])).toEqual([
      ['gen', 'bypassed', 0],
      ['gen2', 'muted', 0],
    ]);
    expect(muted).toMatchObject({ paidJobs: 0, totalUsd: 0 });
  });

  it('lists a Seedream fed by a muted node as muted, at $0, when estimating', async () => {
    const estimate = await estimateCost(planRun(seedreamBoard({ ref1: 'mute' }), builtins), { priceUsd: async () => 0.04 });
    expect(estimate.items.map((i) => [i.nodeId, i.status])).toEqual([
      ['gen', 'muted'],
      ['gen2', 'muted'],
    ]);
    expect(estimate.paidJobs).toBe(0);
  });

  it('passes all frames on when the frame picker is bypassed', () => {
    const plan = planRun(seedreamBoard({ pick: 'bypass' }), builtins);
    expect(plan.nodes.get('pick')).toMatchObject({ bypass: { images: 'images' }, upstream: ['gen'] });
    expect(plan.nodes.get('view')!.cacheKey).not.toBe(planRun(seedreamBoard(), builtins).nodes.get('view')!.cacheKey);
  });
});
