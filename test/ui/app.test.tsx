// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../app/ui/App';
import { StudioProvider } from '../../app/ui/studio-context';
import { render } from '@testing-library/react';
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
    expect(screen.getByTestId('lightbox-counter').textContent).toBe('2 / 3');
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

  it('opens a node search filtered to compatible kinds when a link is dropped on the canvas', () => {
    const t = renderApp();
    act(() => t.store.getState().openSearch({ screen: { x: 100, y: 100 }, flow: { x: 0, y: 0 }, linkFrom: { node: 'gen', port: 'prompt', side: 'target' } }));
    const items = screen.getAllByTestId(/^node-search-item-/).map((el) => el.dataset.testid);
    expect(items).toEqual(['node-search-item-text.prompt']);
    act(() => void fireEvent.keyDown(screen.getByTestId('node-search-input'), { key: 'Enter' }));
    const s = t.store.getState();
    const added = s.workflow.nodes.find((n) => n.kind === 'text.prompt')!;
    expect(s.workflow.edges.some((e) => e.source.node === added.id && e.target.node === 'gen' && e.target.port === 'prompt')).toBe(true);
    expect(s.search).toBeNull();
  });
});
