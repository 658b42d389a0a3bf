import { describe, expect, it } from 'vitest';
import { topoOrder } from '../../app/graph/topo-order';
import { graph } from '../fixtures/graph-builder';

describe('topoOrder', () => {
  it('puts every node after the nodes it reads from when edges are listed backwards', () => {
    const wf = graph().node('sink', 'k').node('mid', 'k').node('src', 'k').edge('mid.o', 'sink.i').edge('src.o', 'mid.i').build();
    expect(topoOrder(wf)).toEqual({ ok: true, order: ['src', 'mid', 'sink'] });
  });

  it('breaks ties by file order when several nodes are ready at once', () => {
    const wf = graph().node('c', 'k').node('a', 'k').node('b', 'k').node('j', 'k').edge('b.o', 'j.i').edge('a.o', 'j.i').edge('c.o', 'j.i').build();
    expect(topoOrder(wf).order).toEqual(['c', 'a', 'b', 'j']);
  });

  it('prefers the earliest ready node in file order over the one just unlocked', () => {
    // After x runs, both y (unlocked by x) and z (ready from the start) are ready: y comes first
    // in the file, so it goes first even though z has been waiting longer.
    const wf = graph().node('x', 'k').node('y', 'k').node('z', 'k').edge('x.o', 'y.i').build();
    expect(topoOrder(wf).order).toEqual(['x', 'y', 'z']);
  });

  it('gives the same order when only the order of the edges in the file changes', () => {
    const pairs: [number, number][] = [];
    for (let i = 0; i < 60; i++) pairs.push([(i * 7) % 40, 40 + ((i * 11) % 20)], [i % 40, (i * 13) % 40]);
    const dag = pairs.filter(([s, t]) => s < t);
    const build = (edges: [number, number][]) => {
      const b = graph();
      for (let i = 0; i < 60; i++) b.node(`n${i}`, 'k');
      for (const [s, t] of edges) b.edge(`n${s}.o`, `n${t}.i`);
      return b.build();
    };
    const forward = topoOrder(build(dag));
    expect(forward.ok).toBe(true);
    expect(topoOrder(build([...dag].reverse()))).toEqual(forward);
    const position = new Map(forward.order.map((id, i) => [id, i]));
    for (const [s, t] of dag) expect(position.get(`n${s}`)!).toBeLessThan(position.get(`n${t}`)!);
  });

  it('reports the cycle and orders what it can when the graph loops', () => {
    const wf = graph()
      .node('src', 'k')
      .node('a', 'k')
      .node('b', 'k')
      .node('after', 'k')
      .node('free', 'k')
      .edge('src.o', 'a.i')
      .edge('a.o', 'b.i')
      .edge('b.o', 'a.i')
      .edge('b.o', 'after.i')
      .build();
    expect(topoOrder(wf)).toEqual({ ok: false, order: ['src', 'free'], rest: ['a', 'b', 'after'], cycle: ['a', 'b', 'a'] });
  });

  it('ignores edges to unknown nodes when the file has dangling links', () => {
    const wf = graph().node('a', 'k').node('b', 'k').edge('ghost.o', 'a.i').edge('a.o', 'b.i').build();
    expect(topoOrder(wf)).toEqual({ ok: true, order: ['a', 'b'] });
  });
});
