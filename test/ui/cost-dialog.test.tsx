// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../app/ui/App';
import { StudioProvider } from '../../app/ui/studio-context';
import { testImage } from '../fixtures/fake-run-context';
import { graph } from '../fixtures/graph-builder';
import { createTestStore } from '../fixtures/studio-store';
import { fakeUiServices } from './render-studio';

afterEach(cleanup);

/** 2 references, Max images 14, and a prompt asking for 4 that comes from a linked Prompt node. */
const overAsked = () =>
  graph({ name: 'kites' })
    .node('a', 'image.load', { image: testImage(1) })
    .node('b', 'image.load', { image: testImage(2) })
    .node('words', 'text.prompt', { text: 'Generate 4 images of a red kite over the beach' })
    .node('gen', 'seedream.edit-sequential', { maxImages: 14 })
    .node('view', 'image.preview')
    .edge('a.image', 'gen.images')
    .edge('b.image', 'gen.images')
    .edge('words.text', 'gen.prompt')
    .edge('gen.images', 'view.images')
    .build();

function renderApp(t = createTestStore(overAsked())) {
  render(
    <StudioProvider store={t.store} services={fakeUiServices()}>
      <App />
    </StudioProvider>,
  );
  return t;
}

describe('CostDialog (issue 9, item 5)', () => {
  it('flags the warnings of a paid node next to its row, before paying', async () => {
    const t = renderApp();
    await act(async () => void fireEvent.click(screen.getByTestId('run-button')));
    await screen.findByTestId('cost-dialog');
    expect(screen.getByTestId('cost-total').textContent).toBe('$0.56');
    expect(screen.getByTestId('cost-warnings-note').textContent).toMatch(/warnings/);
    const warnings = screen.getByTestId('cost-warnings-gen').textContent;
    expect(warnings).toMatch(/at most 15 − 2 = 13 images/);
    expect(warnings).toMatch(/linked prompt asks for 4 images but Max images is 14/);
    expect(t.api.calls).toHaveLength(0);
  });

  it('applies "Set Max images to 4" and asks again with the new cost', async () => {
    const t = renderApp();
    await act(async () => void fireEvent.click(screen.getByTestId('run-button')));
    await screen.findByTestId('cost-dialog');
    await act(async () => void fireEvent.click(screen.getByTestId('cost-fix-gen-maxImages-4')));
    await waitFor(() => expect(screen.getByTestId('cost-total').textContent).toBe('$0.16'));
    expect(screen.queryByTestId('cost-warnings-gen')).toBeNull();
    expect(t.store.getState().workflow.nodes.find((n) => n.id === 'gen')!.params.maxImages).toBe(4);
    expect(t.api.calls).toHaveLength(0);
    // One undo step brings the old value back.
    act(() => t.store.getState().cancelPendingRun());
    act(() => t.store.undo());
    expect(t.store.getState().workflow.nodes.find((n) => n.id === 'gen')!.params.maxImages).toBe(14);
  });

  it('shows every warning on the node: a badge in its header and each line with its fix', () => {
    renderApp();
    expect(screen.getByTestId('node-issue-badge-gen').textContent).toBe('⚠ 2');
    const lines = screen.getByTestId('param-problem-gen-maxImages').textContent;
    expect(lines).toMatch(/13 images/);
    expect(lines).toMatch(/asks for 4 images/);
    expect(screen.getByTestId('fix-gen-maxImages-13')).toBeTruthy();
    expect(screen.getByTestId('fix-gen-maxImages-4')).toBeTruthy();
  });

  it('numbers paid rows that share a title and hints at their prompts', async () => {
    const wf = graph({ name: 'two' })
      .node('a', 'image.load', { image: testImage(1) })
      .node('g1', 'seedream.edit-sequential', { prompt: 'Generate 2 images of a fox', maxImages: 2 })
      .node('g2', 'seedream.edit-sequential', { prompt: 'Generate 2 images of a bear', maxImages: 2 })
      .node('v1', 'image.preview')
      .node('v2', 'image.preview')
      .edge('a.image', 'g1.images')
      .edge('a.image', 'g2.images')
      .edge('g1.images', 'v1.images')
      .edge('g2.images', 'v2.images')
      .build();
    renderApp(createTestStore(wf));
    await act(async () => void fireEvent.click(screen.getByTestId('run-button')));
    await screen.findByTestId('cost-dialog');
    expect(screen.getByTestId('cost-row-g1').textContent).toMatch(/^Seedream 4\.5 Edit Sequential #1 — “Generate 2 images of a fox”/);
    expect(screen.getByTestId('cost-row-g2').textContent).toMatch(/^Seedream 4\.5 Edit Sequential #2 — “Generate 2 images of a bear”/);
  });
});
