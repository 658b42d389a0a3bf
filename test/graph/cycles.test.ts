import { describe, expect, it } from 'vitest';
import { findCycle, findCycles, findPath } from '../../app/graph/cycles';
import { graph } from '../fixtures/graph-builder';

describe('findCycles', () => {
  it('returns nothing when the graph is acyclic', () => {
    const wf = graph().node('a', 'k').node('b', 'k').node('c', 'k').edge('a.o', 'b.i').edge('b.o', 'c.i').edge('a.o', 'c.i').build();
    expect(findCycles(wf)).toEqual([]);
    expect(findCycle(wf)).toBeUndefined();
  });

  it('returns the path of a loop in link order when three nodes feed each other', () => {
    const wf = graph().node('a', 'k').node('b', 'k').node('c', 'k').edge('a.o', 'b.i').edge('b.o', 'c.i').edge('c.o', 'a.i').build();
    expect(findCycles(wf)).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('starts the path at the first node in file order when the loop is written out of order', () => {
    const wf = graph().node('x', 'k').node('c', 'k').node('b', 'k').edge('c.o', 'b.i').edge('b.o', 'x.i').edge('x.o', 'c.i').build();
    expect(findCycle(wf)).toEqual(['x', 'c', 'b', 'x']);
  });

  it('reports a self-link as a loop of one node', () => {
    const wf = graph().node('a', 'k').edge('a.o', 'a.i').build();
    expect(findCycles(wf)).toEqual([['a', 'a']]);
  });

  it('reports one cycle per loop when there are two separate loops', () => {
    const wf = graph()
      .node('a', 'k')
      .node('b', 'k')
      .node('m', 'k')
      .node('c', 'k')
      .node('d', 'k')
      .edge('a.o', 'b.i')
      .edge('b.o', 'a.i')
      .edge('b.o', 'm.i')
      .edge('m.o', 'c.i')
      .edge('c.o', 'd.i')
      .edge('d.o', 'c.i')
      .build();
    expect(findCycles(wf)).toEqual([
      ['a', 'b', 'a'],
      ['c', 'd', 'c'],
    ]);
  });

  it('ignores links to missing nodes when a file has dangling edges', () => {
    const wf = graph().node('a', 'k').edge('a.o', 'ghost.i').edge('ghost.o', 'a.i').build();
    expect(findCycles(wf)).toEqual([]);
  });

  it('handles a long chain without overflowing the stack when it has 20,000 nodes', () => {
    const b = graph();
    for (let i = 0; i < 20_000; i++) b.node(`n${i}`, 'k');
    for (let i = 1; i < 20_000; i++) b.edge(`n${i - 1}.o`, `n${i}.i`);
    b.edge('n19999.o', 'n0.i');
    expect(findCycle(b.build())).toHaveLength(20_001);
  });
});

describe('findPath', () => {
  const wf = graph()
    .node('a', 'k')
    .node('b', 'k')
    .node('c', 'k')
    .node('d', 'k')
    .edge('a.o', 'b.i')
    .edge('b.o', 'c.i')
    .edge('a.o', 'c.i')
    .edge('c.o', 'd.i')
    .build();

  it('returns the shortest path when one exists', () => {
    expect(findPath(wf, 'a', 'd')).toEqual(['a', 'c', 'd']);
  });

  it('returns undefined when the target is upstream', () => {
    expect(findPath(wf, 'd', 'a')).toBeUndefined();
  });

  it('returns undefined for a node to itself when it has no loop', () => {
    expect(findPath(wf, 'a', 'a')).toBeUndefined();
  });
});
