// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NoticeToast } from '../../app/ui/chrome/Banners';
import { NoticeReport } from '../../app/ui/chrome/NoticeReport';
import { createTestStore } from '../fixtures/studio-store';
import { renderStudio } from './render-studio';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const report = [
  'Imported a ComfyUI workflow (UI format): 8 of 10 nodes mapped, 2 kept as placeholders that cannot run.',
  '“Upscale ×2” (ImageScaleBy #14) has no counterpart here; it is kept as a placeholder and cannot run.',
  'LoadImage #10 used “portrait.png” from ComfyUI’s input folder: choose that file on the node.',
];

function renderNotices() {
  const t = createTestStore();
  renderStudio(
    t.store,
    <>
      <NoticeToast />
      <NoticeReport />
    </>,
  );
  return t;
}

describe('NoticeReport', () => {
  it('shows a heading, the first line as the summary and the rest as a list, when a notice has lines', () => {
    const t = renderNotices();
    act(() => t.store.getState().notify('Opened “seedream-story.json”.', 'info', report));
    const panel = screen.getByTestId('notice');
    expect(panel.dataset.report).toBe('true');
    expect(panel.querySelector('h2')?.textContent).toBe('Opened “seedream-story.json”.');
    expect(panel.querySelector('.notice-report-summary')?.textContent).toBe(report[0]);
    expect([...screen.getByTestId('notice-lines').querySelectorAll('li')].map((li) => li.textContent)).toEqual(report.slice(1));
  });

  it('stays until its Dismiss button is pressed, however long it is shown', () => {
    const t = renderNotices();
    act(() => t.store.getState().notify('Opened “seedream-story.json”.', 'info', report));
    act(() => void vi.advanceTimersByTime(60_000));
    expect(screen.getByTestId('notice').dataset.report).toBe('true');
    act(() => void fireEvent.click(screen.getByTestId('notice-dismiss')));
    expect(screen.queryByTestId('notice')).toBeNull();
    expect(t.store.getState().notice).toBeNull();
  });

  it('leaves a notice without lines to the toast, which goes by itself after 5 s', () => {
    const t = renderNotices();
    act(() => t.store.getState().notify('Opened “plain.json”.'));
    expect(screen.getByTestId('notice').dataset.report).toBeUndefined();
    expect(screen.getByTestId('notice').textContent).toContain('Opened “plain.json”.');
    act(() => void vi.advanceTimersByTime(5_000));
    expect(screen.queryByTestId('notice')).toBeNull();
  });
});
