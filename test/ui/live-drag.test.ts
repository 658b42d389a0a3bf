import { describe, expect, it } from 'vitest';
import { createFlowDeriver } from '../../app/ui/canvas/flow-derive';
import { withLivePositions } from '../../app/ui/canvas/live-drag';
import { registry } from '../../nodes';
import { paidWorkflow } from '../fixtures/studio-store';

describe('withLivePositions', () => {
  const nodes = () => createFlowDeriver(registry).nodes(paidWorkflow().nodes, new Set(), new Map());

  it('returns the same array when nothing is being dragged', () => {
    const flow = nodes();
    expect(withLivePositions(flow, new Map())).toBe(flow);
  });

  it('makes a new object only for the dragged node when one node is dragged', () => {
    const flow = nodes();
    const live = withLivePositions(flow, new Map([['gen', { x: 40, y: 50 }]]));
    live.forEach((n, i) => (n.id === 'gen' ? expect(n).not.toBe(flow[i]) : expect(n).toBe(flow[i])));
    const gen = live.find((n) => n.id === 'gen')!;
    expect(gen.position).toEqual({ x: 40, y: 50 });
    // Same data object: the node's body has nothing new to draw.
    expect(gen.data).toBe(flow.find((n) => n.id === 'gen')!.data);
  });

  it('keeps a node object when its live position is where it already is', () => {
    const flow = nodes();
    const gen = flow.find((n) => n.id === 'gen')!;
    expect(withLivePositions(flow, new Map([['gen', { ...gen.position }]]))).toEqual(flow);
    expect(withLivePositions(flow, new Map([['gen', { ...gen.position }]])).find((n) => n.id === 'gen')).toBe(gen);
  });

  it('ignores live positions of nodes that are gone', () => {
    const flow = nodes();
    expect(withLivePositions(flow, new Map([['deleted', { x: 1, y: 1 }]]))).toEqual(flow);
  });
});
