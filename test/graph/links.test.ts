import { describe, expect, it } from 'vitest';
import { ancestorsOf, compareLinkOrder, incomingLinks, indexLinks, predecessors, successors } from '../../app/graph/links';
import { graph } from '../fixtures/graph-builder';

const wf = graph()
  .node('a', 'k')
  .node('b', 'k')
  .node('c', 'k')
  .node('j', 'k')
  .node('lone', 'k')
  .edge('c.o', 'j.images', { id: 'late', order: 5 })
  .edge('a.o', 'j.images', { id: 'unordered' })
  .edge('b.o', 'j.images', { id: 'first', order: 0 })
  .edge('a.o', 'j.images', { id: 'tie', order: 5 })
  .edge('a.o', 'b.in', { id: 'ab' })
  .build();

describe('indexLinks', () => {
  it('sorts links into an input by order, unordered last, ties in file order', () => {
    const { incoming } = indexLinks(wf.edges);
    expect(
      incoming
        .get('j')
        ?.get('images')
        ?.map((e) => e.id),
    ).toEqual(['first', 'late', 'tie', 'unordered']);
  });

  it('lists outgoing links per node in file order', () => {
    const { outgoing } = indexLinks(wf.edges);
    expect(outgoing.get('a')?.map((e) => e.id)).toEqual(['unordered', 'tie', 'ab']);
    expect(outgoing.get('lone')).toBeUndefined();
  });
});

describe('incomingLinks', () => {
  it("returns one port's links in merge order when asked for that port", () => {
    expect(incomingLinks(wf.edges, 'j', 'images').map((e) => e.id)).toEqual(['first', 'late', 'tie', 'unordered']);
    expect(incomingLinks(wf.edges, 'b', 'in').map((e) => e.id)).toEqual(['ab']);
  });
});

describe('compareLinkOrder', () => {
  it('orders explicit orders ascending and missing orders last', () => {
    const e = (order?: number) => ({ source: { node: 'a', port: 'o' }, target: { node: 'b', port: 'i' }, order });
    expect([e(), e(2), e(0)].sort(compareLinkOrder).map((x) => x.order)).toEqual([0, 2, undefined]);
  });
});

describe('successors', () => {
  it('lists each successor once when several links join the same nodes', () => {
    expect(successors(wf).get('a')).toEqual(['j', 'b']);
    expect(predecessors(wf).get('j')).toEqual(['a', 'b', 'c']);
  });
});

describe('ancestorsOf', () => {
  it('returns the roots and everything upstream of them', () => {
    expect([...ancestorsOf(wf, ['b'])].sort()).toEqual(['a', 'b']);
    expect([...ancestorsOf(wf, ['j'])].sort()).toEqual(['a', 'b', 'c', 'j']);
  });

  it('ignores roots that are not nodes of the graph', () => {
    expect([...ancestorsOf(wf, ['ghost'])]).toEqual([]);
  });
});
