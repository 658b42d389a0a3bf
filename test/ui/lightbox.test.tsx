// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { encode } from 'fast-png';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SEED } from '../../app/model/seedream';
import { HISTORY_ENTRY_VERSION, MemoryHistoryStore, type HistoryEntry } from '../../app/store/history-entry';
import { App } from '../../app/ui/App';
import { StudioProvider } from '../../app/ui/studio-context';
import { testImages } from '../fixtures/fake-run-context';
import { createTestStore, paidWorkflow } from '../fixtures/studio-store';
import { fakeUiServices } from './render-studio';

const PNG = encode({ width: 8, height: 6, data: new Uint8Array(8 * 6 * 3).fill(90), channels: 3 });

/** Object URLs made and not yet revoked: the lightbox must leave none behind. */
const live = new Set<string>();
let made = 0;
const realCreate = URL.createObjectURL;
const realRevoke = URL.revokeObjectURL;
beforeEach(() => {
  live.clear();
  made = 0;
  URL.createObjectURL = () => {
    const url = `blob:test/${++made}`;
    live.add(url);
    return url;
  };
  URL.revokeObjectURL = (url: string) => void live.delete(url);
});
afterEach(() => {
  cleanup();
  URL.createObjectURL = realCreate;
  URL.revokeObjectURL = realRevoke;
});

/** An earlier paid run of `gen`: 2 frames, seed 7. */
const earlier: HistoryEntry = {
  v: HISTORY_ENTRY_VERSION,
  id: 'req-0',
  requestId: 'req-0',
  model: 'bytedance/seedream-4-5/edit-sequential',
  nodeId: 'gen',
  cacheKey: 'old-key',
  params: { maxImages: 2, seed: 7, resolution: '2048x2048 (1:1)' },
  prompt: 'Generate 2 images of a dog',
  references: [],
  costUsd: 0.08,
  finishedAt: Date.UTC(2026, 0, 5, 9, 0, 0),
  images: testImages(2, 500),
  outputUrls: [],
  source: 'run',
};

/** The editor after one run of `gen` (3 frames, request req-1), with `earlier` in the history. */
async function ranEditor() {
  const t = createTestStore(paidWorkflow(3));
  const history = new MemoryHistoryStore();
  await history.put(earlier);
  const originals: string[] = [];
  const services = fakeUiServices({
    history,
    images: {
      thumbnail: () => new Promise<string>(() => undefined),
      original: async (ref) => {
        originals.push(ref.kind === 'asset' ? ref.assetId : ref.url);
        return new Blob([PNG as Uint8Array<ArrayBuffer>], { type: 'image/png' });
      },
    },
  });
  render(
    <StudioProvider store={t.store} services={services}>
      <App />
    </StudioProvider>,
  );
  await act(() => t.store.getState().requestRun());
  await act(() => t.store.getState().confirmRun());
  return { ...t, services, originals };
}

/** Lets the fake image loads and the history read finish inside act (a bounded number of turns). */
const settle = () =>
  act(async () => {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  });
const key = async (k: string, o: { shiftKey?: boolean } = {}) => {
  act(() => void fireEvent.keyDown(window, { key: k, ...o }));
  await settle();
};
const fact = (box: string, name: string) => within(screen.getByTestId(box)).queryByTestId(`fact-${name}`)?.textContent;

async function open(frame: string) {
  act(() => void fireEvent.click(screen.getByTestId(frame)));
  // The lightbox loads on first use; earlier runs come from the history store, and full images
  // from the loader (all async).
  await screen.findByTestId('lightbox');
  await settle();
}

describe('Lightbox', () => {
  it('steps to an earlier run of a paid node with Shift+←, showing that run’s facts', async () => {
    await ranEditor();
    await open('frame-gen-3');
    expect(screen.getByTestId('lightbox-run').textContent).toBe('run 2 of 2');
    expect(screen.getByTestId('lightbox-counter').textContent).toBe('3 / 3');
    expect(fact('lightbox-facts', 'request')).toBe('req-1');
    expect(fact('lightbox-facts', 'job')).toBe('job-1');
    expect(fact('lightbox-facts', 'seed')).toBe(String(DEFAULT_SEED));
    expect(fact('lightbox-facts', 'resolution')).toBe('2048x2048 (1:1)');
    expect(fact('lightbox-facts', 'size')).toBe('8 × 6 px');

    await key('ArrowLeft', { shiftKey: true });
    expect(screen.getByTestId('lightbox-run').textContent).toMatch(/^run 1 of 2 — /);
    // The earlier run has 2 frames: the frame number is kept within it.
    expect(screen.getByTestId('lightbox-counter').textContent).toBe('2 / 2');
    expect(fact('lightbox-facts', 'request')).toBe('req-0');
    expect(fact('lightbox-facts', 'seed')).toBe('7');
    expect(fact('lightbox-facts', 'cost')).toBe('$0.08 for the request (2 frames)');
    expect(fact('lightbox-facts', 'prompt')).toBe('Generate 2 images of a dog');
    expect((screen.getByTestId('lightbox-run-prev') as HTMLButtonElement).disabled).toBe(true);

    act(() => void fireEvent.click(screen.getByTestId('lightbox-run-next')));
    expect(screen.getByTestId('lightbox-run').textContent).toBe('run 2 of 2');
    expect(screen.getByTestId('lightbox').textContent).toContain('shown on the node');
  });

  it('shows only the current result of an unpaid node, with the facts of the paid frame it shows', async () => {
    await ranEditor();
    await open('frame-view-2');
    expect(screen.getByTestId('lightbox-run').textContent).toBe('current result');
    expect((screen.getByTestId('lightbox-run-next') as HTMLButtonElement).disabled).toBe(true);
    expect(fact('lightbox-facts', 'made-by')).toBe('Seedream 4.5 Edit Sequential, frame 2');
    expect(fact('lightbox-facts', 'request')).toBe('req-1');
    await key('ArrowLeft', { shiftKey: true });
    expect(screen.getByTestId('lightbox-run').textContent).toBe('current result');
  });

  it('compares two frames with a slider the keyboard moves, and side by side', async () => {
    await ranEditor();
    await open('frame-gen-1');
    await key('c');
    const divider = screen.getByTestId('compare-divider');
    expect(screen.getByTestId('compare-slider').textContent).toContain('A · Seedream 4.5 Edit Sequential');
    expect(fact('lightbox-facts-a', 'frame')).toMatch(/^1 of 3/);
    expect(fact('lightbox-facts-b', 'frame')).toMatch(/^2 of 3/);
    expect(divider.getAttribute('aria-valuenow')).toBe('50');

    // Arrows on the focused divider move it, not the frames.
    act(() => divider.focus());
    act(() => void fireEvent.keyDown(divider, { key: 'ArrowRight' }));
    expect(divider.getAttribute('aria-valuenow')).toBe('52');
    act(() => void fireEvent.keyDown(divider, { key: 'End' }));
    expect(divider.getAttribute('aria-valuenow')).toBe('100');
    act(() => void fireEvent.keyDown(divider, { key: 'Home' }));
    expect(divider.getAttribute('aria-valuenow')).toBe('0');
    expect(screen.getByTestId('lightbox-counter').textContent).toBe('2 / 3');

    // B steps through frames and runs; A stays.
    await key('ArrowRight');
    expect(fact('lightbox-facts-b', 'frame')).toMatch(/^3 of 3/);
    await key('ArrowLeft', { shiftKey: true });
    expect(fact('lightbox-facts-b', 'request')).toBe('req-0');
    expect(fact('lightbox-facts-a', 'request')).toBe('req-1');

    await key('v');
    expect(screen.queryByTestId('compare-slider')).toBeNull();
    expect(screen.getByTestId('compare-side').textContent).toMatch(/A · .*frame 1.*B · .*run 1 · frame 2/);
    act(() => void fireEvent.click(screen.getByTestId('compare-swap')));
    expect(fact('lightbox-facts-a', 'request')).toBe('req-0');
    expect(fact('lightbox-facts-b', 'request')).toBe('req-1');

    await key('c');
    expect(screen.queryByTestId('compare-side')).toBeNull();
    expect(screen.getByTestId('lightbox-facts')).toBeTruthy();
  });

  it('compares frames of two nodes, picking B’s node in the bar', async () => {
    await ranEditor();
    await open('frame-gen-1');
    act(() => void fireEvent.click(screen.getByTestId('lightbox-compare')));
    act(() => void fireEvent.change(screen.getByTestId('lightbox-node'), { target: { value: 'view' } }));
    expect(within(screen.getByTestId('lightbox-facts-b')).getByRole('heading').textContent).toBe('BPreview');
    expect(fact('lightbox-facts-b', 'made-by')).toMatch(/^Seedream 4\.5 Edit Sequential, frame/);
    expect(fact('lightbox-facts-a', 'request')).toBe('req-1');
  });

  it('loads each shown frame at full size and revokes its URL when the frame changes or the lightbox closes', async () => {
    const t = await ranEditor();
    await open('frame-gen-1');
    expect(screen.getByTestId('lightbox-image').getAttribute('data-full')).toBe('true');
    expect(live.size).toBe(1);
    for (let i = 0; i < 4; i++) await key('ArrowRight');
    expect(t.originals).toHaveLength(5);
    expect(live.size).toBe(1);
    await key('c');
    expect(screen.getByTestId('compare-image-a').getAttribute('data-full')).toBe('true');
    expect(screen.getByTestId('compare-image-b').getAttribute('data-full')).toBe('true');
    expect(live.size).toBe(2);
    await key('Escape');
    expect(screen.queryByTestId('lightbox')).toBeNull();
    expect(live.size).toBe(0);
    expect(made).toBeGreaterThanOrEqual(6);
  });

  it('closes on Esc and nothing else: the selection stays, graph keys do not reach the canvas', async () => {
    const t = await ranEditor();
    await open('frame-gen-1');
    act(() => t.store.getState().setSelection(['view']));
    await key('Delete');
    expect(t.store.getState().workflow.nodes.map((n) => n.id)).toContain('view');
    await key('Escape');
    expect(screen.queryByTestId('lightbox')).toBeNull();
    expect([...t.store.getState().selectedNodes]).toEqual(['view']);
  });

  it('closes on a click on the backdrop, not on a drag that ends there', async () => {
    await ranEditor();
    await open('frame-gen-1');
    const backdrop = screen.getByTestId('lightbox');
    act(() => void fireEvent.pointerDown(screen.getByTestId('lightbox-stage')));
    act(() => void fireEvent.click(backdrop));
    expect(screen.queryByTestId('lightbox')).not.toBeNull();
    act(() => void fireEvent.pointerDown(backdrop));
    act(() => void fireEvent.click(backdrop));
    expect(screen.queryByTestId('lightbox')).toBeNull();
  });

  it('downloads a frame under its node title, request id and number', async () => {
    const t = await ranEditor();
    await open('frame-gen-2');
    act(() => void fireEvent.click(screen.getByTestId('lightbox-download')));
    await settle();
    expect(t.services.downloads).toEqual(['seedream-4-5-edit-sequential-req-1-02.png']);
  });
});
