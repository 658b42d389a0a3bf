// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryWorkflowLibrary } from '../../app/store/workflow-library';
import { App } from '../../app/ui/App';
import { TabbedStudioProvider } from '../../app/ui/studio-context';
import { paidWorkflow } from '../fixtures/studio-store';
import { createTestTabs, holdApi } from '../fixtures/tab-manager';
import { fakeUiServices } from './render-studio';

afterEach(cleanup);

function renderTabs(t = createTestTabs([paidWorkflow(3)])) {
  const library = new MemoryWorkflowLibrary();
  render(
    <TabbedStudioProvider tabs={t.tabs} services={fakeUiServices({ library })}>
      <App />
    </TabbedStudioProvider>,
  );
  return { ...t, library };
}

const tabTitles = () => [...document.querySelectorAll('.tab-list .tab')].map((e) => e.getAttribute('data-title'));

describe('tabs in the editor', () => {
  it('opens New in a tab of its own and shows each tab’s own graph', () => {
    const t = renderTabs();
    expect(screen.getByTestId('node-gen')).toBeTruthy();
    act(() => void fireEvent.click(screen.getByTestId('new-button')));
    expect(tabTitles()).toEqual(['paid', 'Untitled']);
    expect(screen.queryByTestId('node-gen')).toBeNull();
    act(() => void fireEvent.click(document.querySelector('.tab[data-title="paid"]')!));
    expect(screen.getByTestId('node-gen')).toBeTruthy();
    expect(t.tabs.state.getState().tabs).toHaveLength(2);
  });

  it('asks before closing a tab with unsaved changes, and closes it on confirm', async () => {
    const t = renderTabs();
    act(() => t.store('t1').getState().setParam('gen', 'seed', 4));
    act(() => void fireEvent.click(screen.getByTestId('tab-close-t1')));
    expect(await screen.findByTestId('close-tab-dirty')).toBeTruthy();
    act(() => void fireEvent.click(screen.getByTestId('close-tab-confirm')));
    expect(tabTitles()).toEqual(['Untitled']);
  });

  it('queues the second Ctrl+Enter behind the running run, each after its cost dialog', async () => {
    const t = renderTabs();
    const hold = holdApi(t.api);
    await act(async () => void fireEvent.keyDown(document.body, { key: 'Enter', ctrlKey: true }));
    // The cost dialog loads on first use: find it outside act, whose batching would hold its render back.
    const confirm = await screen.findByTestId('cost-confirm');
    await act(async () => void fireEvent.click(confirm));
    await waitFor(() => expect(hold.held()).toBe(1));
    act(() => t.store('t1').getState().setParam('gen', 'seed', 9));
    await act(async () => void fireEvent.keyDown(document.body, { key: 'Enter', ctrlKey: true }));
    expect((await screen.findByTestId('cost-dialog')).textContent).toContain('Queue 1 paid job?');
    await act(async () => void fireEvent.click(screen.getByTestId('cost-confirm')));
    const rows = () => [...document.querySelectorAll('[data-testid^="queue-item-"]')].map((e) => e.getAttribute('data-status'));
    expect(rows()).toEqual(['running', 'pending']);
    expect(screen.getByTestId('tab-queued-t1').textContent).toBe('+1');
    hold.release();
    await waitFor(() => expect(hold.held()).toBe(1));
    hold.release();
    await act(() => t.tabs.queue.idle());
    await waitFor(() => expect(rows()).toEqual(['done', 'done']));
  });

  it('saves with Ctrl+S under the name asked for, and lists it in the sidebar', async () => {
    const t = renderTabs();
    await act(async () => void fireEvent.keyDown(document.body, { key: 's', ctrlKey: true }));
    fireEvent.change(await screen.findByTestId('save-as-name'), { target: { value: 'My kites' } });
    await act(async () => void fireEvent.click(screen.getByTestId('save-as-confirm')));
    await waitFor(() => expect(tabTitles()).toEqual(['My kites']));
    expect((await t.library.list()).map((e) => e.name)).toEqual(['My kites']);
    act(() => void fireEvent.click(screen.getByTestId('sidebar-toggle')));
    await waitFor(async () => expect((await screen.findByTestId('workflow-sidebar')).textContent).toContain('My kites'));
  });
});
