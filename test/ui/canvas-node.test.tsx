// @vitest-environment happy-dom
import { useReactFlow } from '@xyflow/react';
import { act, cleanup, screen } from '@testing-library/react';
import { useEffect } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { Canvas } from '../../app/ui/canvas/Canvas';
import type { Workflow } from '../../app/graph/workflow-schema';
import { testImage } from '../fixtures/fake-run-context';
import { graph } from '../fixtures/graph-builder';
import { createTestStore, paidWorkflow } from '../fixtures/studio-store';
import { renderStudio } from './render-studio';

afterEach(cleanup);

/** Sets the canvas zoom the way the wheel would (React Flow's own viewport API). */
function Zoom({ zoom }: { zoom: number }) {
  const flow = useReactFlow();
  useEffect(() => void flow.setViewport({ x: 0, y: 0, zoom }), [flow, zoom]);
  return null;
}

function setup(zoom: number, workflow: Workflow = paidWorkflow()) {
  const { store } = createTestStore(workflow);
  // 'gen' and 'a' were measured in full earlier in this page; 'b' and 'view' never were.
  act(() =>
    store.getState().setNodeSizes(
      new Map([
        ['gen', { width: 320, height: 430 }],
        ['a', { width: 280, height: 260 }],
      ]),
    ),
  );
  renderStudio(
    store,
    <>
      <Canvas />
      <Zoom zoom={zoom} />
    </>,
  );
  return store;
}

const outlines = () => [...document.querySelectorAll('[data-outline]')].map((el) => el.getAttribute('data-testid'));

describe('CanvasNode', () => {
  it('draws measured nodes as outlines at their measured height when zoomed out below 0.5', async () => {
    setup(0.3);
    await act(async () => undefined);
    expect(outlines().sort()).toEqual(['node-a', 'node-gen']);
    const gen = screen.getByTestId('node-gen');
    expect(gen.style.height).toBe('430px');
    // No widgets, but every handle a link can attach to, where the full node has them.
    expect(gen.querySelector('.node-params')).toBeNull();
    expect([...gen.querySelectorAll('.react-flow__handle')].map((h) => h.getAttribute('data-testid'))).toEqual(
      [...document.querySelectorAll('[data-testid^="handle-gen-"]')].map((h) => h.getAttribute('data-testid')),
    );
    expect(gen.querySelector('[data-testid="handle-gen-in-images"]')).not.toBeNull();
    expect(gen.querySelector('[data-testid="handle-gen-out-images"]')).not.toBeNull();
    // Never measured: drawn in full so that it gets a true size.
    expect(screen.getByTestId('node-view').hasAttribute('data-outline')).toBe(false);
    expect(screen.getByTestId('canvas').classList.contains('zoomed-out')).toBe(true);
  });

  it('draws every node in full at zoom 0.5 and above', async () => {
    setup(0.5);
    await act(async () => undefined);
    expect(outlines()).toEqual([]);
    expect(screen.getByTestId('node-gen').querySelector('.node-params')).not.toBeNull();
    expect(screen.getByTestId('canvas').classList.contains('zoomed-out')).toBe(false);
  });

  it('shows run state and the worst issue on an outline', async () => {
    // Seedream with no reference images linked: an error of that node; the Load Image has none.
    const wf = graph({ name: 'issues' })
      .node('a', 'image.load', { image: testImage(1) })
      .node('gen', 'seedream.edit-sequential', { prompt: 'Generate 3 images of a cat', maxImages: 3 })
      .build();
    const store = setup(0.2, wf);
    expect(
      store
        .getState()
        .analysis.issuesByNode.get('gen')
        ?.some((i) => i.severity === 'error'),
    ).toBe(true);
    expect(store.getState().analysis.issuesByNode.get('a') ?? []).toEqual([]);
    act(() => store.setState({ run: { ...store.getState().run, nodes: { gen: { status: 'running', startedAt: 0 } } } }));
    await act(async () => undefined);
    expect(screen.getByTestId('node-gen').classList.contains('outline-error')).toBe(true);
    expect(screen.getByTestId('node-a').className).not.toMatch(/outline-(error|warning)/);
    expect(screen.getByTestId('node-status-gen').textContent).toMatch(/^running/);
  });
});
