// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Canvas } from '../../app/ui/canvas/Canvas';
import { graph } from '../fixtures/graph-builder';
import { testImage } from '../fixtures/fake-run-context';
import { createTestStore } from '../fixtures/studio-store';
import { jobRecord } from '../fixtures/job-records';
import type { LedgerUpdate } from '../../app/ledger';
import type { LedgerPort } from '../../app/store/ledger-port';
import { renderStudio } from './render-studio';

/**
 * Renders counted in the test's own wrapper: node-types is swapped for one whose component is
 * GraphNode's body under GraphNode's own memo comparison, counting each time the body runs
 * (`bodies`), inside a Profiler counting every commit in the node's subtree, its status badge
 * and run message included (`commits`).
 */
const counts = vi.hoisted(() => ({ bodies: new Map<string, number>(), commits: new Map<string, number>() }));
vi.mock('../../app/ui/canvas/node-types', async () => {
  const { createElement, memo, Profiler } = await import('react');
  const { GraphNode } = await import('../../app/ui/node/GraphNode');
  type Props = Parameters<typeof GraphNode>[0];
  const memoised = GraphNode as unknown as { type: (p: Props) => ReturnType<typeof GraphNode>; compare: (a: Props, b: Props) => boolean };
  const bump = (m: Map<string, number>, id: string) => m.set(id, (m.get(id) ?? 0) + 1);
  const Body = memo((props: Props) => {
    bump(counts.bodies, props.id);
    return memoised.type(props);
  }, memoised.compare);
  const Counted = (props: Props) => createElement(Profiler, { id: props.id, onRender: (id: string) => bump(counts.commits, id) }, createElement(Body, props));
  return { nodeTypes: { graph: Counted }, edgeTypes: {} };
});

beforeEach(() => {
  counts.bodies.clear();
  counts.commits.clear();
});
afterEach(cleanup);

/** 300 nodes: 60 chains of Load Image → Seedream → Select → Merge → Preview. */
function bigWorkflow() {
  let b = graph({ name: 'big' });
  for (let i = 0; i < 60; i++) {
    b = b
      .node(`load${i}`, 'image.load', { image: testImage(i) })
      .node(`gen${i}`, 'seedream.edit-sequential', { prompt: 'Generate 3 images of a boat', maxImages: 3 })
      .node(`sel${i}`, 'image.select', { frames: '1' })
      .node(`merge${i}`, 'image.merge')
      .node(`view${i}`, 'image.preview')
      .edge(`load${i}.image`, `gen${i}.images`)
      .edge(`gen${i}.images`, `sel${i}.images`)
      .edge(`sel${i}.images`, `merge${i}.images`)
      .edge(`merge${i}.images`, `view${i}.images`);
  }
  return b.build();
}

const reset = () => {
  counts.bodies.clear();
  counts.commits.clear();
};

describe('canvas render isolation', () => {
  it('re-renders only the moved node when one node of 300 moves', () => {
    const { store } = createTestStore(bigWorkflow());
    renderStudio(store, <Canvas />);
    expect(screen.getAllByTestId(/^node-/).filter((el) => el.classList.contains('graph-node'))).toHaveLength(300);
    reset();

    act(() => store.getState().moveNodes(new Map([['gen17', { x: 5000, y: 5000 }]]), true));
    act(() => store.getState().moveNodes(new Map([['gen17', { x: 5010, y: 5020 }]]), true));
    act(() => store.getState().endDrag());

    expect([...counts.bodies.keys()]).toEqual(['gen17']);
    expect(counts.bodies.get('gen17')).toBe(2);
  });

  it('keeps a drag out of the store and commits it as one move of the dragged node when the mouse is released', () => {
    const { store } = createTestStore(bigWorkflow());
    renderStudio(store, <Canvas />);
    const before = store.getState().workflow;
    const undoSteps = store.temporal.getState().pastStates.length;
    const node = document.querySelector('.react-flow__node[data-id="gen17"]')!;
    reset();

    fireEvent.mouseDown(node, { clientX: 100, clientY: 100, button: 0, view: window });
    fireEvent.mouseMove(window, { clientX: 105, clientY: 103, view: window });
    // The drag selected the node: its body drew once for that.
    expect([...counts.bodies]).toEqual([['gen17', 1]]);
    for (let i = 2; i <= 20; i++) fireEvent.mouseMove(window, { clientX: 100 + i * 5, clientY: 100 + i * 3, view: window });
    // Mid-drag: React Flow shows the node where the mouse is; the workflow has not changed and no body drew again.
    expect(store.getState().workflow).toBe(before);
    expect([...counts.bodies]).toEqual([['gen17', 1]]);
    expect((node as HTMLElement).style.transform).not.toContain(`${before.nodes.find((n) => n.id === 'gen17')!.position.x}px`);
    fireEvent.mouseUp(window, { clientX: 200, clientY: 160, view: window });

    const after = store.getState().workflow;
    const moved = after.nodes.filter((n, i) => n !== before.nodes[i]).map((n) => n.id);
    expect(moved).toEqual(['gen17']);
    expect(store.temporal.getState().pastStates.length).toBe(undoSteps + 1);
    // The body drew again once, for the committed position; no other node ever did.
    expect([...counts.bodies]).toEqual([['gen17', 2]]);
    act(() => store.undo());
    expect(store.getState().workflow.nodes.find((n) => n.id === 'gen17')!.position).toEqual(before.nodes.find((n) => n.id === 'gen17')!.position);
  });

  it('re-renders only the edited node when one param changes', () => {
    const { store } = createTestStore(bigWorkflow());
    renderStudio(store, <Canvas />);
    reset();
    act(() => store.getState().setParam('sel3', 'frames', '1-2'));
    expect([...counts.bodies.keys()]).toEqual(['sel3']);
  });

  it('re-renders only the nodes whose selection changed', () => {
    const { store } = createTestStore(bigWorkflow());
    renderStudio(store, <Canvas />);
    act(() => store.getState().setSelection(['view1']));
    reset();
    act(() => store.getState().setSelection(['view2']));
    expect(new Set(counts.bodies.keys())).toEqual(new Set(['view1', 'view2']));
  });

  it('re-renders no node body when a run event updates one node status', () => {
    const { store } = createTestStore(bigWorkflow());
    renderStudio(store, <Canvas />);
    reset();
    act(() => store.setState({ run: { runId: 'r', phase: 'running', nodeIds: ['gen4'], issues: [], nodes: { gen4: { status: 'running', startedAt: 0 } } } }));
    // The status badge subscribes on its own; the node body (params, ports) does not re-render.
    expect(counts.bodies.size).toBe(0);
    expect([...counts.commits.keys()]).toEqual(['gen4']);
    expect(screen.getByTestId('node-status-gen4').textContent).toMatch(/^running/);
  });

  it('changes one node state object and re-renders no node body per poll update of a paid job', () => {
    let announce!: (u: LedgerUpdate) => void;
    const ledger: LedgerPort = {
      subscribe: (l) => ((announce = l), () => undefined),
      lookup: async () => ({ kind: 'none' }),
      allowRepay: () => undefined,
      fetchMissing: async (id) => jobRecord(id),
      dismiss: async () => undefined,
      stopAll: () => undefined,
      recover: async () => ({ reattached: [], orphaned: [], blocked: [], elsewhere: [] }),
    };
    const { store } = createTestStore(bigWorkflow(), { ledger });
    renderStudio(store, <Canvas />);
    const keys = store.getState().analysis.cacheKeys;
    const job = (jobId: string, nodeId: string, queuePosition: number) =>
      jobRecord(jobId, { nodeId, cacheKey: keys.get(nodeId)!, queuePosition, requestId: `req-${jobId}` });
    act(() => {
      for (let i = 0; i < 60; i++) announce({ record: job(`j${i}`, `gen${i}`, 5) });
    });
    expect(screen.getByTestId('node-status-gen4').textContent).toBe('re-attached — queued #5');
    reset();
    const before = store.getState().run.nodes;
    act(() => announce({ record: job('j4', 'gen4', 4) }));
    const after = store.getState().run.nodes;
    const changed = Object.keys(after).filter((id) => after[id] !== before[id]);
    expect(changed).toEqual(['gen4']);
    expect(counts.bodies.size).toBe(0);
    expect([...counts.commits.keys()]).toEqual(['gen4']);
    expect(screen.getByTestId('node-status-gen4').textContent).toBe('re-attached — queued #4');
  });
});
