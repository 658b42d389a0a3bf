// @vitest-environment happy-dom
import { act, cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Canvas } from '../../app/ui/canvas/Canvas';
import { renderCounts } from '../../app/ui/node/GraphNode';
import { graph } from '../fixtures/graph-builder';
import { testImage } from '../fixtures/fake-run-context';
import { createTestStore } from '../fixtures/studio-store';
import { jobRecord } from '../fixtures/job-records';
import type { LedgerUpdate } from '../../app/ledger';
import type { LedgerPort } from '../../app/store/ledger-port';
import { renderStudio } from './render-studio';

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

const total = () => [...renderCounts.values()].reduce((a, b) => a + b, 0);

describe('canvas render isolation', () => {
  it('re-renders only the moved node when one node of 300 moves', () => {
    const { store } = createTestStore(bigWorkflow());
    renderStudio(store, <Canvas />);
    expect(screen.getAllByTestId(/^node-/).filter((el) => el.classList.contains('graph-node'))).toHaveLength(300);
    renderCounts.clear();

    act(() => store.getState().moveNodes(new Map([['gen17', { x: 5000, y: 5000 }]]), true));
    act(() => store.getState().moveNodes(new Map([['gen17', { x: 5010, y: 5020 }]]), true));
    act(() => store.getState().endDrag());

    expect([...renderCounts.keys()]).toEqual(['gen17']);
    expect(renderCounts.get('gen17')).toBe(2);
  });

  it('re-renders only the edited node when one param changes', () => {
    const { store } = createTestStore(bigWorkflow());
    renderStudio(store, <Canvas />);
    renderCounts.clear();
    act(() => store.getState().setParam('sel3', 'frames', '1-2'));
    expect([...renderCounts.keys()]).toEqual(['sel3']);
  });

  it('re-renders only the nodes whose selection changed', () => {
    const { store } = createTestStore(bigWorkflow());
    renderStudio(store, <Canvas />);
    act(() => store.getState().setSelection(['view1']));
    renderCounts.clear();
    act(() => store.getState().setSelection(['view2']));
    expect(new Set(renderCounts.keys())).toEqual(new Set(['view1', 'view2']));
  });

  it('re-renders no node body when a run event updates one node status', () => {
    const { store } = createTestStore(bigWorkflow());
    renderStudio(store, <Canvas />);
    renderCounts.clear();
    act(() => store.setState({ run: { runId: 'r', phase: 'running', nodeIds: ['gen4'], issues: [], nodes: { gen4: { status: 'running', startedAt: 0 } } } }));
    // The status badge subscribes on its own; the node body (params, ports) does not re-render.
    expect(total()).toBe(0);
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
    renderCounts.clear();
    const before = store.getState().run.nodes;
    act(() => announce({ record: job('j4', 'gen4', 4) }));
    const after = store.getState().run.nodes;
    const changed = Object.keys(after).filter((id) => after[id] !== before[id]);
    expect(changed).toEqual(['gen4']);
    expect(total()).toBe(0);
    expect(screen.getByTestId('node-status-gen4').textContent).toBe('re-attached — queued #4');
  });
});
