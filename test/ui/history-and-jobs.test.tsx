// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { unzipSync } from 'fflate';
import { encode } from 'fast-png';
import { afterEach, describe, expect, it } from 'vitest';
import { workflowFromPng } from '../../app/graph/workflow-png';
import type { ImageRef } from '../../app/graph/ports';
import type { JobRecord } from '../../app/ledger';
import { HISTORY_ENTRY_VERSION, MemoryHistoryStore, type HistoryEntry } from '../../app/store/history-entry';
import type { LedgerPort } from '../../app/store/ledger-port';
import { idleRun } from '../../app/store/run-reducer';
import { App } from '../../app/ui/App';
import { entryFolder, historyZip } from '../../app/ui/library/history-zip';
import { StudioProvider, type TabActions } from '../../app/ui/studio-context';
import { registry } from '../../nodes';
import { MemoryAssetStore } from '../fixtures/fake-run-context';
import { jobRecord } from '../fixtures/job-records';
import { createTestStore, paidWorkflow } from '../fixtures/studio-store';
import { fakeUiServices } from './render-studio';

afterEach(cleanup);

const png = (shade: number) => encode({ width: 8, height: 8, data: new Uint8Array(8 * 8 * 3).fill(shade), channels: 3 });

async function historyWith(assets: MemoryAssetStore) {
  const history = new MemoryHistoryStore();
  const images = [await assets.put(png(1)), await assets.put(png(2))];
  const entry: HistoryEntry = {
    v: HISTORY_ENTRY_VERSION,
    id: 'req-9',
    requestId: 'req-9',
    model: 'bytedance/seedream-4-5/edit-sequential',
    nodeId: 'gen',
    cacheKey: 'k',
    params: { maxImages: 2 },
    prompt: 'Generate 2 images of a lighthouse',
    references: [{ hash: 'a'.repeat(64) }],
    costUsd: 0.08,
    startedAt: Date.UTC(2025, 0, 31, 14, 24, 0),
    finishedAt: Date.UTC(2025, 0, 31, 14, 25, 1),
    images,
    outputUrls: ['https://out.example/1.png', 'https://out.example/2.png'],
    workflow: paidWorkflow(2),
    source: 'reattached',
  };
  await history.put(entry);
  return { history, entry };
}

function renderApp(extra: Parameters<typeof fakeUiServices>[0] = {}, t = createTestStore(paidWorkflow(3))) {
  const services = fakeUiServices(extra);
  render(
    <StudioProvider store={t.store} services={services}>
      <App />
    </StudioProvider>,
  );
  return { ...t, services };
}

describe('history zip', () => {
  it('holds every frame (PNGs carrying the graph), the graph and a manifest', async () => {
    const assets = new MemoryAssetStore();
    const { entry } = await historyWith(assets);
    const files = unzipSync(await historyZip([entry], (ref: ImageRef) => assets.get(ref)));
    const folder = entryFolder(entry);
    expect(Object.keys(files).sort()).toEqual([`${folder}/frame-01.png`, `${folder}/frame-02.png`, `${folder}/workflow.json`, 'history.json'].sort());
    const restored = workflowFromPng(files[`${folder}/frame-02.png`]!, registry);
    expect(restored.ok && restored.workflow).toEqual(paidWorkflow(2));
    const manifest = JSON.parse(new TextDecoder().decode(files['history.json']));
    expect(manifest.entries[0]).toMatchObject({ requestId: 'req-9', costUsd: 0.08, files: [`${folder}/frame-01.png`, `${folder}/frame-02.png`] });
    expect(manifest.entries[0].workflow).toBeUndefined();
  });

  it('lists frames whose bytes are gone instead of failing', async () => {
    const assets = new MemoryAssetStore();
    const { entry } = await historyWith(assets);
    const files = unzipSync(await historyZip([entry], async () => Promise.reject(new Error('gone'))));
    const manifest = JSON.parse(new TextDecoder().decode(files['history.json']));
    expect(manifest.entries[0].missingAssets).toHaveLength(2);
  });
});

describe('history panel', () => {
  it('shows each generation and opens the graph that made it', async () => {
    const assets = new MemoryAssetStore();
    const { history } = await historyWith(assets);
    const t = renderApp({ history }, createTestStore());
    fireEvent.click(screen.getByTestId('history-button'));
    const card = await screen.findByTestId('history-entry-req-9');
    expect(card.textContent).toContain('Generate 2 images of a lighthouse');
    expect(card.textContent).toContain('$0.08');
    expect(card.textContent).toContain('re-attached after reload');
    act(() => void fireEvent.click(screen.getByTestId('history-open-req-9')));
    expect(t.store.getState().workflow).toEqual(paidWorkflow(2));
    expect(screen.queryByTestId('history-panel')).toBeNull();
  });

  it('downloads all generations as one zip', async () => {
    const assets = new MemoryAssetStore();
    const { history } = await historyWith(assets);
    const t = renderApp({
      history,
      images: { thumbnail: () => new Promise(() => undefined), original: async (ref) => new Blob([(await assets.get(ref)) as Uint8Array<ArrayBuffer>]) },
    });
    fireEvent.click(screen.getByTestId('history-button'));
    await screen.findByTestId('history-entry-req-9');
    await act(async () => void fireEvent.click(screen.getByTestId('history-download-all')));
    await waitFor(() => expect((t.services as unknown as { downloads: string[] }).downloads).toEqual(['sequence-studio-history.zip']));
  });

  it('says when there is nothing yet', async () => {
    renderApp({ history: new MemoryHistoryStore() });
    fireEvent.click(screen.getByTestId('history-button'));
    expect((await screen.findByTestId('history-empty')).textContent).toMatch(/No generations yet/);
  });
});

describe('paid jobs on nodes', () => {
  const fakeLedger = () => {
    const calls: string[] = [];
    const port: LedgerPort = {
      subscribe: () => () => undefined,
      lookup: async () => ({ kind: 'none' }),
      allowRepay: (id) => void calls.push(`repay ${id}`),
      fetchMissing: async (id) => {
        calls.push(`fetch ${id}`);
        return jobRecord(id);
      },
      dismiss: async (id) => void calls.push(`dismiss ${id}`),
      stopAll: () => void calls.push('stopAll'),
      recover: async () => ({ reattached: [], orphaned: [], blocked: [], elsewhere: [] }),
    };
    return { port, calls };
  };
  const showJob = (t: ReturnType<typeof createTestStore>, record: JobRecord) =>
    act(() => t.store.setState({ run: { ...idleRun, nodes: { gen: { status: 'running', job: { record } } } }, jobs: { [record.jobId]: { record } } }));

  it('shows a job re-attached after a reload on the node badge', () => {
    const t = renderApp();
    showJob(t, jobRecord('r1', { state: 'running' }));
    expect(screen.getByTestId('node-status-gen').textContent).toBe('re-attached — running');
  });

  it('shows what is known about a lost request, with Pay again naming it and Dismiss', async () => {
    const ledger = fakeLedger();
    const t = renderApp({}, createTestStore(paidWorkflow(3), { ledger: ledger.port }));
    showJob(t, jobRecord('j-lost', { state: 'lost', requestId: 'req-77', submittedAt: Date.UTC(2025, 0, 31, 9) }));
    // The notice loads the first time a job needs the user.
    const notice = await screen.findByTestId('node-job-gen');
    expect(notice.textContent).toMatch(/no longer knows this request.*may have been billed/);
    expect(notice.textContent).toContain('req-77');
    expect(notice.textContent).toContain('Generate 2 images');
    expect(screen.getByTestId('pay-again-gen').textContent).toBe('Pay again (instead of request req-77)');
    expect(screen.getByTestId('node-status-gen').textContent).toBe('lost — may be billed');
    await act(async () => void fireEvent.click(screen.getByTestId('job-dismiss-gen')));
    expect(ledger.calls).toEqual(['dismiss j-lost']);
  });

  it('opens the cost dialog with the earlier attempt ticked when Pay again is pressed, and pays nothing before confirm', async () => {
    const ledger = fakeLedger();
    const t = createTestStore(paidWorkflow(3), {
      ledger: { ...ledger.port, lookup: async () => ({ kind: 'blocked', record: jobRecord('j-lost', { state: 'lost' }) }) },
    });
    renderApp({}, t);
    showJob(t, jobRecord('j-lost', { state: 'lost' }));
    const payAgain = await screen.findByTestId('pay-again-gen');
    await act(async () => void fireEvent.click(payAgain));
    const row = await screen.findByTestId('cost-row-gen');
    expect(row.textContent).toMatch(/may have been billed.*request req-j-lost/);
    expect((screen.getByTestId('cost-repay-gen') as HTMLInputElement).checked).toBe(true);
    expect(screen.getByTestId('cost-total').textContent).toBe('$0.12');
    act(() => void fireEvent.click(screen.getByTestId('cost-repay-gen')));
    expect(screen.getByTestId('cost-total').textContent).toBe('$0.00');
    expect(row.textContent).toContain('not run');
    expect(ledger.calls).toEqual([]);
    expect(t.api.calls).toHaveLength(0);
  });

  it('lists the missing images of a partial job with their URLs and fetches them for free', async () => {
    const ledger = fakeLedger();
    const t = renderApp({}, createTestStore(paidWorkflow(3), { ledger: ledger.port }));
    showJob(
      t,
      jobRecord('j-part', {
        state: 'stored',
        partial: true,
        outputs: [
          { index: 0, url: 'https://x/0.png', assetId: 'a0', attempts: 1 },
          { index: 1, url: 'https://x/1.png', error: 'HTTP 503', attempts: 4 },
        ],
      }),
    );
    expect(screen.getByTestId('node-status-gen').textContent).toBe('partial — 1 of 2 images');
    const notice = await screen.findByTestId('node-job-gen');
    expect(notice.textContent).toMatch(/1 image of 2 could not be fetched/);
    expect(notice.textContent).toContain('https://x/1.png');
    await act(async () => void fireEvent.click(screen.getByTestId('fetch-missing-gen')));
    expect(ledger.calls).toEqual(['fetch j-part']);
  });
});

describe('other-tab banner', () => {
  it('offers Reload theirs and Keep mine when another tab saved a newer revision', async () => {
    const calls: string[] = [];
    const tabs: TabActions = { reloadTheirs: async () => void calls.push('reload'), keepMine: async () => void calls.push('keep') };
    const t = renderApp({ tabs });
    expect(screen.queryByTestId('other-tab-banner')).toBeNull();
    act(() => t.store.getState().setOtherTab({ revision: 4, savedAt: Date.now() }));
    expect(screen.getByTestId('other-tab-banner').textContent).toMatch(/changed in another tab/);
    await act(async () => void fireEvent.click(screen.getByTestId('other-tab-keep')));
    await act(async () => void fireEvent.click(screen.getByTestId('other-tab-reload')));
    expect(calls).toEqual(['keep', 'reload']);
  });
});
