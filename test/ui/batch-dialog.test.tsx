import { batchAccess } from '../../app/ui/batch/batch-access';
// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../app/ui/App';
import { StudioProvider } from '../../app/ui/studio-context';
import { png } from '../batch/batch-fixtures';
import { createTestStore, paidWorkflow } from '../fixtures/studio-store';
import { batchPage, storyboardTsv, until } from '../store/batch-fixtures';
import { fakeUiServices } from './render-studio';

afterEach(cleanup);

function renderBatchApp() {
  const page = batchPage();
  const t = createTestStore(paidWorkflow(2));
  const services = fakeUiServices({
    batches: batchAccess(async () => page.batch, page.batch),
    importImage: async (file, name) => ({
      ok: true,
      ref: { ...(await page.world.assets.put(new Uint8Array(await file.arrayBuffer()))), ...(name ? { name } : {}) },
    }),
  });
  render(
    <StudioProvider store={t.store} services={services}>
      <App />
    </StudioProvider>,
  );
  return { ...page, studio: t, services };
}

const pngFile = (name: string, seed: number) => new File([png(seed) as Uint8Array<ArrayBuffer>], name, { type: 'image/png' });

async function openStoryboardBatch() {
  fireEvent.click(screen.getByTestId('templates-button'));
  fireEvent.click(await screen.findByTestId('batch-builtin:storyboard'));
  return screen.findByTestId('batch-dialog');
}

describe('BatchDialog', () => {
  it('opens from the gallery with one column per template field, drawn by the field’s own widget', async () => {
    renderBatchApp();
    await openStoryboardBatch();
    for (const id of ['ref1', 'ref2', 'ref3', 'story', 'maxImages', 'resolution']) expect(screen.getByTestId(`batch-col-${id}`)).toBeTruthy();
    expect(screen.getByTestId('widget-batch-1-story-value').tagName).toBe('TEXTAREA');
    expect((screen.getByTestId('widget-batch-1-maxImages-value') as HTMLInputElement).value).toBe('4');
    // Sample fields need a value in every row; the template's samples are never submitted.
    expect(screen.getByTestId('batch-cell-problem-1-story').textContent).toMatch(/needs a value in every row/);
  });

  it('checks a cell with its param’s schema, from a paste and as it is typed', async () => {
    renderBatchApp();
    await openStoryboardBatch();
    fireEvent.click(screen.getByTestId('batch-paste-toggle'));
    fireEvent.change(screen.getByTestId('batch-paste-text'), { target: { value: 'story\tmaxImages\nGenerate 2 images: a fox\t20\n' } });
    fireEvent.click(screen.getByTestId('batch-paste-add'));
    expect(screen.getByTestId('batch-cell-problem-1-maxImages').textContent).toMatch(/^Panels: /);
    fireEvent.change(screen.getByTestId('widget-batch-1-maxImages-value'), { target: { value: '3' } });
    expect(screen.queryByTestId('batch-cell-problem-1-maxImages')).toBeNull();
    expect(screen.queryByTestId('batch-cell-problem-1-story')).toBeNull();
  });

  it('takes pasted TSV rows and images chosen for a column, checks them for free, shows the cost, runs, and fills the contact sheet', async () => {
    const p = renderBatchApp();
    await openStoryboardBatch();
    fireEvent.click(screen.getByTestId('batch-paste-toggle'));
    fireEvent.change(screen.getByTestId('batch-paste-text'), {
      target: { value: storyboardTsv(3).replace(/\n|$/g, '\tx\n').replace('maxImages\tx', 'maxImages\tbogus') },
    });
    fireEvent.click(screen.getByTestId('batch-paste-add'));
    expect(screen.getAllByTestId(/^batch-row-\d+$/)).toHaveLength(3);
    expect(screen.getByTestId('batch-notes').textContent).toMatch(/bogus/);
    expect(screen.getByTestId('batch-cell-problem-2-ref2').textContent).toMatch(/No image “two\.png” yet/);

    const files = [pngFile('one.png', 1), pngFile('two.png', 2), pngFile('three.png', 3)];
    fireEvent.change(screen.getByTestId('batch-col-images-ref1'), { target: { files } });
    await waitFor(() => expect(screen.queryByTestId('batch-cell-problem-2-ref2')).toBeNull());
    expect(screen.getAllByTestId(/^batch-row-\d+$/)).toHaveLength(3);

    fireEvent.click(screen.getByTestId('batch-check'));
    await waitFor(() => expect(screen.getByTestId('batch-cost-line').textContent).toBe('Up to $0.24 for 3 paid jobs in 3 rows.'));
    expect(p.provider.calls.submit).toBe(0);
    fireEvent.change(screen.getByTestId('batch-cap'), { target: { value: '1' } });
    fireEvent.click(screen.getByTestId('batch-start'));
    await act(() => p.clock.drive(until(p.batch, (s) => s.session?.phase === 'finished')));
    expect(screen.getByTestId('batch-counts').textContent).toMatch(/^3 done · 0 failed · 0 running · 0 queued · 6 images/);
    expect(screen.getByTestId('batch-spent').textContent).toBe('$0.24 spent of up to $0.24 (cap $1.00)');
    for (const id of ['fox-1', 'fox-2', 'fox-3']) expect(screen.getByTestId(`batch-sheet-${id}`).getAttribute('data-status')).toBe('succeeded');
    expect(p.provider.calls.submit).toBe(3);
  });

  it('reads a JSONL rows file dropped on the dialog, and CSV text pasted outside the cells', async () => {
    renderBatchApp();
    await openStoryboardBatch();
    const body = screen.getByTestId('batch-dialog').querySelector('.batch-body')!;
    const jsonl = new File(['{"id": "a", "story": "Generate 2 images: one"}\n{"id": "b", "story": "Generate 2 images: two"}\n'], 'rows.jsonl');
    fireEvent.drop(body, { dataTransfer: { files: [jsonl], types: ['Files'] } });
    await waitFor(() => expect(screen.getAllByTestId(/^batch-row-\d+$/).map((r) => r.getAttribute('data-row-id'))).toEqual(['a', 'b']));
    expect(screen.getByTestId('batch-message').textContent).toMatch(/2 rows added from “rows\.jsonl”/);
    fireEvent.paste(body, { clipboardData: { getData: () => 'id,story\nc,Generate 2 images: three\n' } });
    expect(screen.getAllByTestId(/^batch-row-\d+$/).map((r) => r.getAttribute('data-row-id'))).toEqual(['a', 'b', 'c']);
  });

  it('says how to expose fields when the graph on the canvas has none', async () => {
    renderBatchApp();
    fireEvent.click(screen.getByTestId('batch-button'));
    const dialog = await screen.findByTestId('batch-dialog');
    expect(within(dialog).getByTestId('batch-no-fields').textContent).toMatch(/Save as template/);
  });
});
