// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Canvas } from '../../app/ui/canvas/Canvas';
import { graph } from '../fixtures/graph-builder';
import { testImage } from '../fixtures/fake-run-context';
import { jobRecord } from '../fixtures/job-records';
import { createTestStore, paidWorkflow } from '../fixtures/studio-store';
import { renderStudio } from './render-studio';

afterEach(cleanup);

const byTestId = (id: string) => screen.getByTestId(id);

describe('GraphNode', () => {
  it('says what a ComfyUI placeholder was there (title, class type, id) and that it cannot run, when its kind is unknown', () => {
    const wf = graph()
      .node('comfy-20', 'comfyui.FancyResize', { comfyui: { type: 'FancyResize', id: '20' } }, { title: 'My resize' })
      .node('odd', 'evil.exec', { code: 'x' })
      .build();
    const { store } = createTestStore(wf);
    renderStudio(store, <Canvas />);
    expect(byTestId('node-comfy-20').querySelector('.node-title')?.textContent).toBe('My resize');
    expect(byTestId('placeholder-origin-comfy-20').textContent).toBe('In ComfyUI: “My resize” (FancyResize #20).');
    expect(byTestId('node-comfy-20').textContent).toContain('No counterpart here: kept as a placeholder, it cannot run.');
    expect(byTestId('node-comfy-20').textContent).not.toContain('Unknown node kind');
    // Not from ComfyUI: the unknown kind is named, as before.
    expect(screen.queryByTestId('placeholder-origin-odd')).toBeNull();
    expect(byTestId('node-odd').textContent).toContain('Unknown node kind “evil.exec”: kept as a placeholder, it cannot run.');
  });

  it('draws every port of a kind as a typed handle', () => {
    const { store } = createTestStore(paidWorkflow());
    renderStudio(store, <Canvas />);
    expect(byTestId('handle-gen-in-images').dataset.portType).toBe('image-list');
    expect(byTestId('handle-gen-in-prompt').dataset.portType).toBe('text');
    expect(byTestId('handle-gen-out-images').className).toContain('port-image-list');
    expect(byTestId('handle-a-out-image').className).toContain('port-image');
  });

  it('shows a live n/599 counter under the prompt as it is typed: 599 is the most Seedream takes (issue 9, item 6)', () => {
    const { store } = createTestStore(paidWorkflow());
    renderStudio(store, <Canvas />);
    const prompt = byTestId('widget-gen-prompt') as HTMLTextAreaElement;
    expect(byTestId('widget-gen-prompt-counter').textContent).toBe(`${prompt.value.length}/599`);
    act(() => void fireEvent.change(prompt, { target: { value: 'x'.repeat(599) } }));
    expect(byTestId('widget-gen-prompt-counter').textContent).toBe('599/599');
    expect(byTestId('widget-gen-prompt-counter').className).not.toContain('over');
    act(() => void fireEvent.change(prompt, { target: { value: 'x'.repeat(650) } }));
    expect(byTestId('widget-gen-prompt-counter').textContent).toBe('650/599');
    expect(byTestId('widget-gen-prompt-counter').className).toContain('over');
    expect(store.getState().workflow.nodes.find((n) => n.id === 'gen')!.params.prompt).toHaveLength(650);
  });

  it('hides the prompt widget when the prompt input is linked', () => {
    const wf = graph()
      .node('p', 'text.prompt', { text: 'Generate 2 images' })
      .node('a', 'image.load', { image: testImage(1) })
      .node('gen', 'seedream.edit-sequential')
      .edge('p.text', 'gen.prompt')
      .edge('a.image', 'gen.images')
      .build();
    const { store } = createTestStore(wf);
    renderStudio(store, <Canvas />);
    expect(screen.queryByTestId('widget-gen-prompt')).toBeNull();
    expect(byTestId('param-gen-prompt').textContent).toContain('from the linked input');
    act(() => store.getState().removeElements([], ['e1']));
    expect(byTestId('widget-gen-prompt')).toBeTruthy();
  });

  it('shows validation warnings on the node before running', () => {
    const { store } = createTestStore(paidWorkflow(3));
    renderStudio(store, <Canvas />);
    act(() => store.getState().setParam('gen', 'prompt', 'Generate 6 images of a fox'));
    expect(byTestId('param-problem-gen-maxImages').textContent).toMatch(/asks for 6 images but Max images is 3/);
  });

  it('shows a missing-input error on a node that has no references', () => {
    const { store } = createTestStore(graph().node('gen', 'seedream.edit-sequential').build());
    renderStudio(store, <Canvas />);
    expect(byTestId('node-issues-gen').textContent).toMatch(/Connect 1–14 reference images/);
  });

  it('stores a number only when it is inside the bounds, and says why otherwise', () => {
    const { store } = createTestStore(paidWorkflow(3));
    renderStudio(store, <Canvas />);
    const input = byTestId('widget-gen-maxImages') as HTMLInputElement;
    expect(input.min).toBe('1');
    expect(input.max).toBe('15');
    act(() => void fireEvent.change(input, { target: { value: '20' } }));
    expect(store.getState().workflow.nodes.find((n) => n.id === 'gen')!.params.maxImages).toBe(3);
    expect(byTestId('param-gen-maxImages').textContent).toContain('At most 15');
    act(() => void fireEvent.change(input, { target: { value: '7' } }));
    expect(store.getState().workflow.nodes.find((n) => n.id === 'gen')!.params.maxImages).toBe(7);
  });

  it('offers the 11 resolutions in a select', () => {
    const { store } = createTestStore(paidWorkflow());
    renderStudio(store, <Canvas />);
    const select = byTestId('widget-gen-resolution') as HTMLSelectElement;
    expect(select.options).toHaveLength(11);
    act(() => void fireEvent.change(select, { target: { value: '4K' } }));
    expect(store.getState().workflow.nodes.find((n) => n.id === 'gen')!.params.resolution).toBe('4K');
  });

  it('picks a new seed as its own undo step when "new variation" is clicked', () => {
    const { store } = createTestStore(paidWorkflow());
    renderStudio(store, <Canvas />);
    const before = store.getState().workflow.nodes.find((n) => n.id === 'gen')!.params.seed;
    act(() => void fireEvent.click(byTestId('seed-new-gen')));
    const after = store.getState().workflow.nodes.find((n) => n.id === 'gen')!.params.seed as number;
    expect(after).not.toBe(before);
    expect(Number.isInteger(after)).toBe(true);
    act(() => store.undo());
    expect(store.getState().workflow.nodes.find((n) => n.id === 'gen')!.params.seed).toBe(before);
  });

  it('shows the run state on the node: queued with position, then the error with its field', () => {
    const { store } = createTestStore(paidWorkflow());
    renderStudio(store, <Canvas />);
    act(() =>
      store.setState({
        run: { runId: 'r', phase: 'running', nodeIds: ['gen'], issues: [], nodes: { gen: { status: 'queued', queuePosition: 3, requestId: 'q' } } },
      }),
    );
    expect(byTestId('node-status-gen').textContent).toBe('queued #3');
    act(() =>
      store.setState({
        run: {
          runId: 'r',
          phase: 'failed',
          nodeIds: ['gen'],
          issues: [],
          nodes: { gen: { status: 'error', error: { code: 'reference-count', field: 'images', message: 'Seedream takes 1–14 reference images; 15 arrived' } } },
        },
      }),
    );
    expect(byTestId('node-status-gen').textContent).toBe('error');
    expect(byTestId('node-message-gen').textContent).toContain('images: Seedream takes 1–14 reference images');
  });

  it('says a job stopped while running will be billed', () => {
    const { store } = createTestStore(paidWorkflow());
    renderStudio(store, <Canvas />);
    act(() =>
      store.setState({
        run: {
          runId: 'r',
          phase: 'aborted',
          nodeIds: ['gen'],
          issues: [],
          nodes: {
            gen: {
              status: 'error',
              stopped: true,
              startedAt: 0,
              phase: 'running',
              error: { code: 'aborted', message: 'stopped' },
              job: { record: jobRecord('j1', { state: 'running' }), message: 'Request req-j1 is running and cannot be cancelled — it will be billed.' },
            },
          },
        },
      }),
    );
    expect(byTestId('node-status-gen').textContent).toBe('still running — will be billed');
    expect(byTestId('node-message-gen').textContent).toMatch(/billed/);
  });

  it('marks frames stale when the node params change after the run', () => {
    const { store } = createTestStore(paidWorkflow());
    renderStudio(store, <Canvas />);
    const key = store.getState().analysis.cacheKeys.get('gen')!;
    act(() => store.setState({ results: { gen: { outputs: { images: [testImage(50), testImage(51)] }, meta: {}, cacheKey: key, cached: false } } }));
    expect(byTestId('frames-gen').textContent).toContain('2 frames');
    expect(screen.queryByTestId('stale-gen')).toBeNull();
    act(() => store.getState().setParam('gen', 'seed', 123));
    expect(byTestId('stale-gen')).toBeTruthy();
    act(() => store.getState().setParam('gen', 'seed', 54519385));
    expect(screen.queryByTestId('stale-gen')).toBeNull();
  });
});
