import { describe, expect, it } from 'vitest';
import { computeCacheKey } from '../../app/engine/cache-key';
import { planRun } from '../../app/engine/plan';
import type { Workflow } from '../../app/graph/workflow-schema';
import { graph } from '../fixtures/graph-builder';
import { createStubKit } from '../fixtures/stub-kinds';

const { registry } = createStubKit();

const keysOf = (wf: Workflow) => {
  const plan = planRun(wf, registry);
  expect(plan.issues).toEqual([]);
  return Object.fromEntries([...plan.nodes].map(([id, n]) => [id, n.cacheKey]));
};

/** a → b → sink and c → d → sink: two independent branches into one output. */
const twoBranches = (bTag = 'b', params: Record<string, unknown> = { name: 'a' }) =>
  graph()
    .node('a', 'stub.source', params)
    .node('b', 'stub.transform', { tag: bTag })
    .node('c', 'stub.source', { name: 'c' })
    .node('d', 'stub.transform', { tag: 'd' })
    .node('sink', 'stub.sink')
    .edge('a.out', 'b.in')
    .edge('c.out', 'd.in')
    .edge('b.out', 'sink.in', { order: 0 })
    .edge('d.out', 'sink.in', { order: 1 })
    .build();

describe('computeCacheKey', () => {
  const parts = {
    kind: 'k',
    kindVersion: 1,
    params: { a: 1, b: 'x' },
    inputs: [
      { port: 'p', order: 0, sourceKey: 'k1', sourcePort: 'out' },
      { port: 'q', order: 0, sourceKey: 'k2', sourcePort: 'out' },
    ],
  };

  it('returns the same key when param keys or input ports are listed in another order', () => {
    expect(computeCacheKey({ ...parts, params: { b: 'x', a: 1 }, inputs: [...parts.inputs].reverse() })).toBe(computeCacheKey(parts));
  });

  it.each([
    ['the kind', { kind: 'k2' }],
    ['the kind version', { kindVersion: 2 }],
    ['a param', { params: { a: 2, b: 'x' } }],
    ['an upstream key', { inputs: [{ port: 'p', order: 0, sourceKey: 'other', sourcePort: 'out' }, parts.inputs[1]!] }],
    ['the source port', { inputs: [{ port: 'p', order: 0, sourceKey: 'k1', sourcePort: 'alt' }, parts.inputs[1]!] }],
  ])('changes when %s changes', (_name, change) => {
    expect(computeCacheKey({ ...parts, ...change })).not.toBe(computeCacheKey(parts));
  });

  it('changes when the merge order of one port changes', () => {
    const a = { port: 'p', order: 0, sourceKey: 'k1', sourcePort: 'out' };
    const b = { port: 'p', order: 1, sourceKey: 'k2', sourcePort: 'out' };
    const swapped = [
      { ...a, order: 1 },
      { ...b, order: 0 },
    ];
    expect(computeCacheKey({ ...parts, inputs: [a, b] })).not.toBe(computeCacheKey({ ...parts, inputs: swapped }));
  });
});

describe('planned cache keys', () => {
  it('gives the same keys when only param key order differs in the file', () => {
    const wf1 = graph().node('a', 'stub.slow', { ms: 5, label: 'x' }).node('s', 'stub.sink').edge('a.out', 's.in').build();
    const wf2 = graph().node('a', 'stub.slow', { label: 'x', ms: 5 }).node('s', 'stub.sink').edge('a.out', 's.in').build();
    expect(keysOf(wf1)).toEqual(keysOf(wf2));
  });

  it('gives the same keys when a param is left to its default or written out', () => {
    const wf1 = graph().node('a', 'stub.slow', {}).node('s', 'stub.sink').edge('a.out', 's.in').build();
    const wf2 = graph().node('a', 'stub.slow', { ms: 100, label: 'slow' }).node('s', 'stub.sink').edge('a.out', 's.in').build();
    expect(keysOf(wf1)).toEqual(keysOf(wf2));
  });

  it('changes the keys of a changed node and everything downstream only', () => {
    const before = keysOf(twoBranches('b'));
    const after = keysOf(twoBranches('b2'));
    expect(after.a).toBe(before.a);
    expect(after.c).toBe(before.c);
    expect(after.d).toBe(before.d);
    expect(after.b).not.toBe(before.b);
    expect(after.sink).not.toBe(before.sink);
  });

  it('changes every downstream key when the first node changes', () => {
    const before = keysOf(twoBranches('b', { name: 'a' }));
    const after = keysOf(twoBranches('b', { name: 'a2' }));
    for (const id of ['a', 'b', 'sink']) expect(after[id]).not.toBe(before[id]);
    for (const id of ['c', 'd']) expect(after[id]).toBe(before[id]);
  });

  it('keeps keys when node ids, positions and edge ids change', () => {
    const wf = twoBranches();
    const moved: Workflow = {
      ...wf,
      nodes: wf.nodes.map((n) => ({ ...n, position: { x: n.position.x + 50, y: 3 } })),
      edges: wf.edges.map((e, i) => ({ ...e, id: `renamed-${i}` })),
    };
    expect(keysOf(moved)).toEqual(keysOf(wf));
  });

  it('keeps keys when link orders are renumbered but changes them when links are swapped', () => {
    const build = (orders: [number, number]) =>
      graph()
        .node('x', 'stub.source', { name: 'x' })
        .node('y', 'stub.source', { name: 'y' })
        .node('j', 'stub.join')
        .node('s', 'stub.sink')
        .edge('x.out', 'j.images', { order: orders[0] })
        .edge('y.out', 'j.images', { order: orders[1] })
        .edge('j.out', 's.in')
        .build();
    expect(keysOf(build([10, 20])).j).toBe(keysOf(build([0, 1])).j);
    expect(keysOf(build([1, 0])).j).not.toBe(keysOf(build([0, 1])).j);
  });

  it('ignores a param while a linked input replaces it', () => {
    const build = (prompt: string, linked: boolean) => {
      const b = graph()
        .node('src', 'stub.source')
        .node('txt', 'stub.text')
        .node('p', 'stub.prompted', { prompt }, { kindVersion: 2 })
        .node('s', 'stub.sink')
        .edge('src.out', 'p.images')
        .edge('p.out', 's.in');
      if (linked) b.edge('txt.text', 'p.prompt');
      else b.edge('txt.text', 's.in', { id: 'unused' });
      return b.build();
    };
    const plan = (wf: Workflow) => planRun(wf, registry, { targets: ['p'] }).nodes.get('p')!.cacheKey;
    expect(plan(build('one', true))).toBe(plan(build('two', true)));
    expect(plan(build('one', false))).not.toBe(plan(build('two', false)));
  });
});
