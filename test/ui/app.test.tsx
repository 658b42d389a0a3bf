// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../app/ui/App';
import { StudioProvider } from '../../app/ui/studio-context';
import { render } from '@testing-library/react';
import { newWorkflow } from '../../app/ui/chrome/workflow-files';
import { testImage } from '../fixtures/fake-run-context';
import { graph } from '../fixtures/graph-builder';
import { createTestStore, paidWorkflow } from '../fixtures/studio-store';
import { fakeUiServices } from './render-studio';

afterEach(cleanup);

function renderApp(t = createTestStore(paidWorkflow(3))) {
  render(
    <StudioProvider store={t.store} services={fakeUiServices()}>
      <App />
    </StudioProvider>,
  );
  return t;
}

describe('App', () => {
  it('shows the simulator banner only in simulator mode', () => {
    const t = renderApp();
    expect(screen.queryByTestId('simulator-banner')).toBeNull();
    act(() => t.store.getState().setMode('simulator'));
    expect(screen.getByTestId('simulator-banner').textContent).toBe('Simulator — outputs are placeholders, not Seedream');
  });

  it('adds a node from the palette and filters the palette by search', () => {
    const t = renderApp();
    fireEvent.change(screen.getByTestId('palette-search'), { target: { value: 'frames' } });
    expect(screen.queryByTestId('palette-item-image.select')).toBeTruthy();
    expect(screen.queryByTestId('palette-item-text.prompt')).toBeNull();
    act(() => void fireEvent.click(screen.getByTestId('palette-item-image.select')));
    expect(t.store.getState().workflow.nodes.filter((n) => n.kind === 'image.select')).toHaveLength(1);
  });

  it('shows the cost of a paid run and runs only after confirm', async () => {
    const t = renderApp();
    await act(async () => void fireEvent.click(screen.getByTestId('run-button')));
    const dialog = await screen.findByTestId('cost-dialog');
    expect(dialog.textContent).toContain('Seedream 4.5 Edit Sequential');
    expect(screen.getByTestId('cost-total').textContent).toBe('$0.12');
    expect(t.api.calls).toHaveLength(0);
    await act(async () => void fireEvent.click(screen.getByTestId('cost-confirm')));
    await waitFor(() => expect(screen.getByTestId('run-phase').textContent).toMatch(/Finished/));
    expect(t.api.calls).toHaveLength(1);
    expect(screen.getByTestId('frames-gen').textContent).toContain('3 frames');
    expect(screen.getByTestId('run-row-gen').textContent).toMatch(/done/);
  });

  it('opens the lightbox on a frame and steps through frames', async () => {
    const t = renderApp();
    await act(() => t.store.getState().requestRun());
    await act(() => t.store.getState().confirmRun());
    act(() => void fireEvent.click(screen.getByTestId('frame-gen-2')));
    expect((await screen.findByTestId('lightbox-counter')).textContent).toBe('2 / 3');
    act(() => void fireEvent.click(screen.getByTestId('lightbox-next')));
    expect(screen.getByTestId('lightbox-counter').textContent).toBe('3 / 3');
    act(() => void fireEvent.keyDown(window, { key: 'ArrowRight' }));
    expect(screen.getByTestId('lightbox-counter').textContent).toBe('1 / 3');
    act(() => void fireEvent.keyDown(window, { key: 'Escape' }));
    expect(screen.queryByTestId('lightbox')).toBeNull();
  });

  it('undoes on Ctrl+Z on the canvas but not while typing in a field', () => {
    const t = renderApp();
    act(() => void t.store.getState().addNode('text.prompt', { x: 0, y: 0 }));
    expect(t.store.getState().workflow.nodes).toHaveLength(5);
    const prompt = screen.getByTestId('widget-gen-prompt');
    act(() => void fireEvent.keyDown(prompt, { key: 'z', ctrlKey: true }));
    act(() => void fireEvent.keyDown(prompt, { key: 'Delete' }));
    expect(t.store.getState().workflow.nodes).toHaveLength(5);
    act(() => void fireEvent.keyDown(document.body, { key: 'z', ctrlKey: true }));
    expect(t.store.getState().workflow.nodes).toHaveLength(4);
  });

  it('deletes the selected nodes on Delete as one undo step', () => {
    const t = renderApp();
    act(() => t.store.getState().setSelection(['a', 'b']));
    act(() => void fireEvent.keyDown(document.body, { key: 'Delete' }));
    expect(t.store.getState().workflow.nodes.map((n) => n.id)).toEqual(['gen', 'view']);
    act(() => void fireEvent.keyDown(document.body, { key: 'z', ctrlKey: true }));
    expect(t.store.getState().workflow.nodes).toHaveLength(4);
  });

  it('duplicates the selection on Ctrl+D and selects the copies', () => {
    const t = renderApp();
    act(() => t.store.getState().setSelection(['a', 'gen']));
    act(() => void fireEvent.keyDown(document.body, { key: 'd', ctrlKey: true }));
    const s = t.store.getState();
    expect(s.workflow.nodes).toHaveLength(6);
    expect([...s.selectedNodes].every((id) => !['a', 'gen'].includes(id))).toBe(true);
  });

  it('keeps a storage warning visible while saving fails', () => {
    const t = renderApp();
    act(() => t.store.getState().setStorageError('Browser storage is full'));
    expect(screen.getByTestId('storage-warning').textContent).toContain('full');
    act(() => t.store.getState().setStorageError(null));
    expect(screen.queryByTestId('storage-warning')).toBeNull();
  });

  it('opens a node search filtered to compatible kinds when a link is dropped on the canvas', async () => {
    const t = renderApp();
    act(() => t.store.getState().openSearch({ screen: { x: 100, y: 100 }, flow: { x: 0, y: 0 }, linkFrom: { node: 'gen', port: 'prompt', side: 'target' } }));
    // The search loads when first opened.
    await screen.findByTestId('node-search-input');
    const items = screen.getAllByTestId(/^node-search-item-/).map((el) => el.dataset.testid);
    expect(items).toEqual(['node-search-item-text.prompt']);
    act(() => void fireEvent.keyDown(screen.getByTestId('node-search-input'), { key: 'Enter' }));
    const s = t.store.getState();
    const added = s.workflow.nodes.find((n) => n.kind === 'text.prompt')!;
    expect(s.workflow.edges.some((e) => e.source.node === added.id && e.target.node === 'gen' && e.target.port === 'prompt')).toBe(true);
    expect(s.search).toBeNull();
  });
});

/** Load Image → Preview with hand-built ids: a free run whose Load Image result is one image. */
const freeWorkflow = () =>
  graph({ name: 'free' })
    .node('n1', 'image.load', { image: testImage(1) })
    .node('n2', 'image.preview')
    .edge('n1.image', 'n2.images')
    .build();

/** The editor after a run of `freeWorkflow` and a cached run again. */
async function afterCachedRun() {
  const t = renderApp(createTestStore(freeWorkflow()));
  await act(() => t.store.getState().requestRun());
  await act(() => t.store.getState().requestRun());
  expect(t.store.getState().run.nodes.n1?.status).toBe('cached');
  return t;
}

const addFromPalette = (t: ReturnType<typeof createTestStore>, kind: string): string => {
  const before = new Set(t.store.getState().workflow.nodes.map((n) => n.id));
  act(() => void fireEvent.click(screen.getByTestId(`palette-item-${kind}`)));
  return t.store.getState().workflow.nodes.find((n) => !before.has(n.id))!.id;
};

describe('App after New (issue 9, items 1 and 2)', () => {
  it('draws a Seedream node added from the palette when New follows a cached run', async () => {
    const t = await afterCachedRun();
    act(() => void newWorkflow(t.store));
    const id = addFromPalette(t, 'seedream.edit-sequential');
    expect(screen.getByTestId(`node-${id}`)).toBeTruthy();
    expect(screen.getByTestId('toolbar')).toBeTruthy();
  });

  it('draws Load Image then Seedream added after New, with no status and no run rows of the old graph', async () => {
    const t = await afterCachedRun();
    act(() => void newWorkflow(t.store));
    const load = addFromPalette(t, 'image.load');
    const gen = addFromPalette(t, 'seedream.edit-sequential');
    expect(screen.getByTestId(`node-${gen}`)).toBeTruthy();
    expect(screen.queryByTestId(`node-status-${load}`)).toBeNull();
    expect(screen.queryByTestId(`node-status-${gen}`)).toBeNull();
    expect(screen.queryAllByTestId(/^run-row-/)).toHaveLength(0);
    expect(screen.getByTestId('run-phase').textContent).toBe('Not run yet');
  });
});
