// @vitest-environment happy-dom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { QueuePanel } from '../../app/ui/run/QueuePanel';
import { TabbedStudioProvider } from '../../app/ui/studio-context';
import { paidWorkflow } from '../fixtures/studio-store';
import { createTestTabs } from '../fixtures/tab-manager';
import { fakeUiServices } from './render-studio';

afterEach(cleanup);

function renderQueue(t: ReturnType<typeof createTestTabs>) {
  render(
    <TabbedStudioProvider tabs={t.tabs} services={fakeUiServices()}>
      <QueuePanel />
    </TabbedStudioProvider>,
  );
}

const rowOf = () => document.querySelector<HTMLElement>('[data-testid^="queue-item-"]')!;

describe('QueuePanel', () => {
  it('shows a run its graph’s checks refused as not run, apart from a failed run, when the graph has errors', async () => {
    const t = createTestTabs([paidWorkflow(3)]);
    t.store('t1').getState().setParam('gen', 'prompt', '');
    renderQueue(t);
    await act(async () => {
      await t.store('t1').getState().requestRun();
      await t.tabs.queue.idle();
    });
    expect(rowOf().dataset.status).toBe('refused');
    expect(screen.getByTestId(`queue-status-${rowOf().dataset.testid!.slice('queue-item-'.length)}`).textContent).toBe('not run');
    expect(rowOf().textContent).toContain('Refused before paying: fix the errors shown on its nodes, then run it again.');
    expect(t.api.calls).toHaveLength(0);
  });

  it('still shows a run that ran as done', async () => {
    const t = createTestTabs([paidWorkflow(3)]);
    renderQueue(t);
    await act(async () => {
      await t.store('t1').getState().requestRun();
      await t.store('t1').getState().confirmRun();
      await t.tabs.queue.idle();
    });
    expect(rowOf().dataset.status).toBe('done');
  });
});
