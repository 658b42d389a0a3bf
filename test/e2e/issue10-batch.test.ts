import { readFile } from 'node:fs/promises';
import { unzipSync } from 'fflate';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIssue5Studio, referencePng, until, type Issue5Studio } from './issue5-harness';
import type { PageGuard } from './studio-fixture';

/**
 * Issue 10 in the browser: Batch… on the storyboard template. Rows are pasted as TSV naming three
 * local images, the images are dropped on an image column, every row is checked and the batch
 * costed before Start, a cap is set, the batch runs and fills the contact sheet, a reload
 * mid-batch continues it with one submit per row (the simulator's submit log), the zip has a
 * folder per row, a row opens as a graph, and the history groups the batch.
 */
let studio: Issue5Studio;
let context: BrowserContext;
let page: Page;
let guard: PageGuard;

beforeAll(async () => {
  // Jobs of about 3 s: a reload lands while the third row runs.
  studio = await openIssue5Studio({ timeScale: 0.8, workers: 4 });
  context = await studio.newContext();
  ({ page, guard } = await studio.openEditor(context));
}, 120_000);
afterAll(async () => {
  await context?.close();
  await studio?.close();
});

const TSV = [
  'id\tref1\tref2\tref3\tstory\tmaxImages',
  'dawn\tone.png\ttwo.png\tthree.png\tGenerate 2 images as a storyboard: the rider at dawn\t2',
  'noon\tone.png\ttwo.png\tthree.png\tGenerate 2 images as a storyboard: the rider at noon\t2',
  'dusk\tone.png\ttwo.png\tthree.png\tGenerate 2 images as a storyboard: the rider at dusk\t2',
].join('\n');

/** Drops files on an element as a user would: dragenter, dragover and drop carrying File objects built in the page. */
async function dropOn(target: Locator, files: { name: string; type: string; bytes: Buffer }[]): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    (items) => {
      const dt = new DataTransfer();
      for (const item of items) dt.items.add(new File([Uint8Array.from(atob(item.base64), (c) => c.charCodeAt(0))], item.name, { type: item.type }));
      return dt;
    },
    files.map((f) => ({ name: f.name, type: f.type, base64: f.bytes.toString('base64') })),
  );
  for (const type of ['dragenter', 'dragover', 'drop']) await target.dispatchEvent(type, { dataTransfer });
  await dataTransfer.dispose();
}

const text = async (testId: string) => (await page.getByTestId(testId).textContent()) ?? '';
const rowStatus = (id: string) => page.getByTestId(`batch-sheet-${id}`).getAttribute('data-status');

describe('issue 10 in the browser: Batch… on a template', () => {
  it('says how to expose fields when Batch… is pressed on a graph that has none', async () => {
    await page.getByTestId('batch-button').click();
    await page.getByTestId('batch-no-fields').waitFor();
    expect(await text('batch-no-fields')).toMatch(/Save as template/);
    await studio.screenshot(page, 'issue10-batch-no-fields');
    await page.getByTestId('batch-discard').click();
    await page.getByTestId('batch-dialog').waitFor({ state: 'detached' });
  });

  it('fills the table from a pasted TSV and images dropped on an image column, and costs it before Start', async () => {
    await page.getByTestId('templates-button').click();
    await page.getByTestId('batch-builtin:storyboard').click();
    await page.getByTestId('batch-dialog').waitFor();
    await page.getByTestId('batch-paste-toggle').click();
    await page.getByTestId('batch-paste-text').fill(TSV);
    await page.getByTestId('batch-paste-add').click();
    await expect.poll(() => page.locator('[data-testid^="batch-row-"][data-row-id]').count()).toBe(3);
    expect(await text('batch-cell-problem-2-ref2')).toMatch(/No image “two\.png” yet/);
    await studio.screenshot(page, 'issue10-batch-pasted');

    await dropOn(page.getByTestId('batch-col-ref1'), [
      { name: 'one.png', type: 'image/png', bytes: referencePng(40) },
      { name: 'two.png', type: 'image/png', bytes: referencePng(120) },
      { name: 'three.png', type: 'image/png', bytes: referencePng(200) },
    ]);
    await page.getByTestId('batch-cell-problem-2-ref2').waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid^="batch-row-"][data-row-id]').count()).toBe(3);
    expect(await page.getByTestId('batch-cell-3-ref3').textContent()).toContain('three.png');

    await page.getByTestId('batch-check').click();
    await expect.poll(() => text('batch-cost-line'), { timeout: 15_000 }).toBe('Up to $0.24 for 3 paid jobs in 3 rows.');
    expect((await studio.sim.counts()).submits).toBe(0);
    await page.getByTestId('batch-cap').fill('1');
    await page.getByTestId('batch-concurrency').selectOption('2');
    await studio.screenshot(page, 'issue10-batch-costed');
    expect(await guard.problems()).toEqual([]);
  }, 60_000);

  it('runs, fills the contact sheet, and continues after a reload mid-batch with one submit per row', async () => {
    await page.getByTestId('batch-start').click();
    await page.getByTestId('batch-progress').waitFor();
    // Two rows at once: the third is submitted once the first two are done.
    await until(async () => (await studio.sim.counts()).submits === 3, 30_000, 'the third row submitted');
    // The first two rows finish close together; the third has just started.
    await expect.poll(async () => [await rowStatus('dawn'), await rowStatus('noon')], { timeout: 15_000 }).toEqual(['succeeded', 'succeeded']);
    await page.getByTestId('batch-sheet-noon').locator('img').first().waitFor({ timeout: 15_000 });
    await studio.screenshot(page, 'issue10-batch-running');
    expect(await rowStatus('dusk')).toBe('running');
    expect((await studio.sim.jobs()).filter((j) => j.phase !== 'succeeded')).toHaveLength(1);

    await page.reload();
    await page.getByTestId('batch-dialog').waitFor({ timeout: 15_000 });
    await expect.poll(() => text('batch-phase')).toMatch(/continued after a reload|Finished/);
    await studio.screenshot(page, 'issue10-batch-continued');
    await expect.poll(() => text('batch-phase'), { timeout: 30_000 }).toBe('Finished');
    for (const id of ['dawn', 'noon', 'dusk']) expect(await rowStatus(id)).toBe('succeeded');
    await page.getByTestId('batch-sheet-dusk').locator('img').first().waitFor();
    expect(await text('batch-counts')).toMatch(/^3 done · 0 failed · 0 running · 0 queued · 6 images/);
    expect(await text('batch-spent')).toBe('$0.24 spent of up to $0.24 (cap $1.00)');
    const submits = await studio.sim.submits();
    expect(submits).toHaveLength(3);
    expect(new Set(submits.map((s) => s.inputHash)).size).toBe(3);
    await studio.screenshot(page, 'issue10-batch-done');
    expect(await guard.problems()).toEqual([]);
  }, 90_000);

  it('downloads one zip with a folder per row, each with its images and manifest, and batch.json', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('batch-download').click()]);
    expect(download.suggestedFilename()).toMatch(/\.zip$/);
    const files = unzipSync(new Uint8Array(await readFile((await download.path())!)));
    const names = Object.keys(files).sort();
    for (const id of ['dawn', 'noon', 'dusk']) {
      expect(names).toEqual(expect.arrayContaining([`${id}/manifest.json`, `${id}/storyboard-01.png`, `${id}/storyboard-02.png`]));
      const manifest = JSON.parse(new TextDecoder().decode(files[`${id}/manifest.json`]!)) as {
        status: string;
        requestIds: string[];
        jobs: { billing: string }[];
      };
      expect(manifest.status).toBe('succeeded');
      expect(manifest.requestIds).toHaveLength(1);
      expect(manifest.jobs[0]?.billing).toBe('billed');
    }
    const summary = JSON.parse(new TextDecoder().decode(files['batch.json']!)) as { totals: { succeeded: number; images: number } };
    expect(summary.totals).toMatchObject({ succeeded: 3, images: 6 });
    expect(guard.dialogs).toEqual([]);
  }, 30_000);

  it('opens a row’s run as a graph with its outputs, and the history groups the batch', async () => {
    await page.getByTestId('batch-open-noon').click();
    await page.getByTestId('batch-dialog').waitFor({ state: 'detached' });
    await page.getByTestId('node-gen').waitFor();
    expect(await page.getByTestId('widget-story-text').inputValue()).toBe('Generate 2 images as a storyboard: the rider at noon');
    await expect.poll(() => page.getByTestId('frames-gen').textContent()).toContain('2 frames');
    await studio.screenshot(page, 'issue10-batch-row-graph');

    await page.getByTestId('history-button').click();
    const group = page.locator('[data-testid^="history-batch-batch-"]');
    await group.waitFor();
    expect(await group.locator('[data-testid^="history-entry-"]').count()).toBe(3);
    await studio.screenshot(page, 'issue10-batch-history');
    expect((await studio.sim.counts()).submits).toBe(3);
    expect(await guard.problems()).toEqual([]);
  }, 30_000);

  it('retries a row whose job failed, after costing the retry, with files chosen in the column’s file chooser', async () => {
    await page.keyboard.press('Escape');
    await page.getByTestId('templates-button').click();
    await page.getByTestId('batch-builtin:storyboard').click();
    await page.getByTestId('batch-paste-toggle').click();
    await page
      .getByTestId('batch-paste-text')
      .fill([TSV.split('\n')[0], 'night\tone.png\ttwo.png\tthree.png\tGenerate 2 images as a storyboard: the rider at night\t2'].join('\n'));
    await page.getByTestId('batch-paste-add').click();
    await page.getByTestId('batch-col-images-ref2').setInputFiles([
      { name: 'one.png', mimeType: 'image/png', buffer: referencePng(40) },
      { name: 'two.png', mimeType: 'image/png', buffer: referencePng(120) },
      { name: 'three.png', mimeType: 'image/png', buffer: referencePng(200) },
    ]);
    await page.getByTestId('batch-cell-1-ref1').getByText('one.png').first().waitFor();
    await studio.sim.push({ kind: 'job', fail: true, error: { message: 'scripted failure' } });
    await page.getByTestId('batch-check').click();
    await expect.poll(() => text('batch-cost-line')).toBe('Up to $0.08 for 1 paid job in 1 row.');
    await page.getByTestId('batch-start').click();
    await expect.poll(() => text('batch-phase'), { timeout: 30_000 }).toBe('Finished');
    expect(await rowStatus('night')).toBe('failed');
    await studio.screenshot(page, 'issue10-batch-failed-row');

    await page.getByTestId('batch-retry-check').click();
    await expect.poll(() => text('batch-cost-line')).toMatch(/^Retry: Up to \$0\.08 for 1 paid job in 1 row\./);
    await page.getByTestId('batch-start').click();
    await expect.poll(() => rowStatus('night'), { timeout: 30_000 }).toBe('succeeded');
    await page.getByTestId('batch-sheet-night').locator('img').first().waitFor();
    expect((await studio.sim.counts()).submits).toBe(5);
    await studio.screenshot(page, 'issue10-batch-retried');
    expect(await guard.problems()).toEqual([]);
  }, 60_000);
});
