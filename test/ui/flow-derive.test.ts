import { describe, expect, it } from 'vitest';
import { createFlowDeriver } from '../../app/ui/canvas/flow-derive';
import { moveNodes } from '../../app/store/graph-ops';
import { registry } from '../../nodes';
import { paidWorkflow } from '../fixtures/studio-store';

describe('createFlowDeriver', () => {
  const none = new Set<string>();
  const sizes = new Map();

  it('returns the same array while nothing changes', () => {
    const d = createFlowDeriver(registry);
    const wf = paidWorkflow();
    expect(d.nodes(wf.nodes, none, sizes)).toBe(d.nodes(wf.nodes, none, sizes));
    expect(d.edges(wf.edges, wf.nodes, none)).toBe(d.edges(wf.edges, wf.nodes, none));
  });

  it('makes a new object only for the node that moved', () => {
    const d = createFlowDeriver(registry);
    const wf = paidWorkflow();
    const before = d.nodes(wf.nodes, none, sizes);
    const moved = moveNodes(wf, new Map([['b', { x: 1, y: 2 }]]));
    const after = d.nodes(moved.nodes, none, sizes);
    expect(after).not.toBe(before);
    after.forEach((n, i) => (n.id === 'b' ? expect(n).not.toBe(before[i]) : expect(n).toBe(before[i])));
    expect(after.find((n) => n.id === 'b')!.position).toEqual({ x: 1, y: 2 });
  });

  it('makes a new object only for the node whose selection changed', () => {
    const d = createFlowDeriver(registry);
    const wf = paidWorkflow();
    const before = d.nodes(wf.nodes, none, sizes);
    const after = d.nodes(wf.nodes, new Set(['gen']), sizes);
    after.forEach((n, i) => (n.id === 'gen' ? expect(n.selected).toBe(true) : expect(n).toBe(before[i])));
  });

  it('keeps the data object of a node when only its size or selection changes', () => {
    const d = createFlowDeriver(registry);
    const wf = paidWorkflow();
    const before = d.nodes(wf.nodes, none, sizes);
    const after = d.nodes(wf.nodes, new Set(['gen']), new Map([['a', { width: 200, height: 120 }]]));
    after.forEach((n, i) => expect(n.data).toBe(before[i]!.data));
    expect(after.find((n) => n.id === 'a')!.measured).toEqual({ width: 200, height: 120 });
  });

  it('colours links by the type of the port they leave', () => {
    const d = createFlowDeriver(registry);
    const wf = paidWorkflow();
    const edges = d.edges(wf.edges, wf.nodes, none);
    expect(edges.map((e) => e.className)).toEqual(['edge-image', 'edge-image', 'edge-image-list']);
  });

  it('keeps link objects when nodes only move', () => {
    const d = createFlowDeriver(registry);
    const wf = paidWorkflow();
    const before = d.edges(wf.edges, wf.nodes, none);
    const moved = moveNodes(wf, new Map([['a', { x: 9, y: 9 }]]));
    expect(d.edges(moved.edges, moved.nodes, none)).toBe(before);
  });
});
