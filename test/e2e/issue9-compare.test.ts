import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openStudio, runToEnd, SCREENS_DIR, solidPng, type PageGuard, type StudioFixture } from './studio-fixture';

/**
 * Issue 9, "Compare": a user runs a graph twice (a new seed the second time), opens a frame in
 * the lightbox, reads its facts, steps to the earlier run, and compares two frames with the
 * slider (mouse and keyboard) and side by side, also across two nodes.
 */
let studio: StudioFixture;
let context: BrowserContext;
let page: Page;
let guard: PageGuard;

beforeAll(async () => {
  studio = await openStudio();
  context = await studio.newContext();
  ({ page, guard } = await studio.openEditor(context));
}, 90_000);
afterAll(async () => {
  await context?.close();
  await studio?.close();
});

/** One reference feeding two Seedream nodes (3 and 2 frames), each previewed (only what feeds an output runs). */
const WORKFLOW = {
  schemaVersion: 2,
  meta: { name: 'Compare' },
  nodes: [
    { id: 'ref', kind: 'image.load', kindVersion: 1, position: { x: 0, y: 120 }, params: {} },
    {
      id: 'gen1',
      kind: 'seedream.edit-sequential',
      kindVersion: 1,
      position: { x: 380, y: 0 },
      params: { prompt: 'Generate 3 images of a kite at dawn, noon and dusk', maxImages: 3, seed: 111 },
    },
    {
      id: 'gen2',
      kind: 'seedream.edit-sequential',
      kindVersion: 1,
      position: { x: 380, y: 520 },
      params: { prompt: 'Generate 2 images of a boat in fog', maxImages: 2, seed: 222 },
    },
    { id: 'view', kind: 'image.preview', kindVersion: 1, position: { x: 780, y: 0 }, params: {} },
    { id: 'view2', kind: 'image.preview', kindVersion: 1, position: { x: 780, y: 520 }, params: {} },
  ],
  edges: [
    { id: 'e1', source: { node: 'ref', port: 'image' }, target: { node: 'gen1', port: 'images' } },
    { id: 'e2', source: { node: 'ref', port: 'image' }, target: { node: 'gen2', port: 'images' } },
    { id: 'e3', source: { node: 'gen1', port: 'images' }, target: { node: 'view', port: 'images' } },
    { id: 'e4', source: { node: 'gen2', port: 'images' }, target: { node: 'view2', port: 'images' } },
  ],
};

async function runAndWait(): Promise<void> {
  expect(await runToEnd(page)).toBe('succeeded');
}

const text = async (testId: string) => (await page.getByTestId(testId).textContent()) ?? '';
const factOf = async (box: string, name: string) => (await page.getByTestId(box).getByTestId(`fact-${name}`).textContent()) ?? '';
const splitNow = async () => Number(await page.getByTestId('compare-divider').getAttribute('aria-valuenow'));

describe('issue 9 in the browser: compare frames and runs in the lightbox', () => {
  it('runs the graph twice, the second time with a new seed on the first node', async () => {
    await page.getByTestId('open-input').setInputFiles({ name: 'compare.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(WORKFLOW)) });
    await page.getByTestId('node-gen1').waitFor();
    await page.getByTestId('widget-ref-image').setInputFiles({ name: 'ref.png', mimeType: 'image/png', buffer: solidPng([40, 120, 200]) });
    await page.getByTestId('node-ref').getByText('ref.png').waitFor();
    await runAndWait();
    await page.getByTestId('frame-gen1-3').locator('img').waitFor();
    await studio.screenshot(page, 'issue9-ran-once');

    const seed = page.getByTestId('widget-gen1-seed');
    await seed.fill('999');
    await seed.press('Tab');
    await runAndWait();
    expect(await page.getByTestId('node-status-gen2').textContent()).toBe('cached');
    await page.getByTestId('frame-gen1-2').locator('img').waitFor();
    expect(await guard.problems()).toEqual([]);
  }, 90_000);

  it('opens a frame with its facts and steps to the earlier run with Shift+←', async () => {
    await page.getByTestId('frame-gen1-2').click();
    await page.locator('[data-testid="lightbox-image"][data-full="true"]').waitFor();
    await expect.poll(() => text('lightbox-run')).toMatch(/^run 2 of 2 — /);
    expect(await text('lightbox-counter')).toBe('2 / 3');
    expect(await factOf('lightbox-facts', 'seed')).toBe('999');
    expect(await factOf('lightbox-facts', 'size')).toBe('256 × 256 px');
    expect(await factOf('lightbox-facts', 'resolution')).toBe('2048x2048 (1:1)');
    expect(await factOf('lightbox-facts', 'prompt')).toContain('a kite at dawn');
    expect(await factOf('lightbox-facts', 'request')).not.toBe('');
    expect(await factOf('lightbox-facts', 'job')).not.toBe('');
    await studio.screenshot(page, 'issue9-lightbox-facts');

    const later = await factOf('lightbox-facts', 'request');
    await page.keyboard.press('Shift+ArrowLeft');
    await expect.poll(() => text('lightbox-run')).toMatch(/^run 1 of 2 — /);
    expect(await factOf('lightbox-facts', 'seed')).toBe('111');
    expect(await factOf('lightbox-facts', 'request')).not.toBe(later);
    await page.locator('[data-testid="lightbox-image"][data-full="true"]').waitFor();
    await studio.screenshot(page, 'issue9-lightbox-earlier-run');
    await page.keyboard.press('Shift+ArrowRight');
    await expect.poll(() => text('lightbox-run')).toMatch(/^run 2 of 2/);
    expect(await guard.problems()).toEqual([]);
  });

  it('compares frame 2 of run 2 with frame 3 of run 1 on a slider dragged by mouse and moved by keys', async () => {
    await page.keyboard.press('c');
    await page.getByTestId('compare-slider').waitFor();
    // B starts on the next frame; step it to the earlier run.
    expect(await factOf('lightbox-facts-b', 'frame')).toMatch(/^3 of 3/);
    await page.keyboard.press('Shift+ArrowLeft');
    await expect.poll(() => factOf('lightbox-facts-b', 'seed')).toBe('111');
    expect(await factOf('lightbox-facts-a', 'seed')).toBe('999');
    await page.locator('[data-testid="compare-image-a"][data-full="true"]').waitFor();
    await page.locator('[data-testid="compare-image-b"][data-full="true"]').waitFor();

    const box = (await page.getByTestId('compare-slider').boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.5, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.3, y, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.7, y, { steps: 5 });
    await page.mouse.up();
    expect(Math.abs((await splitNow()) - 70)).toBeLessThan(2);
    // Still open: a drag that ends anywhere never closes the lightbox.
    expect(await page.getByTestId('lightbox').count()).toBe(1);
    await studio.screenshot(page, 'issue9-compare-slider');
    await page.getByTestId('compare-slider').screenshot({ path: join(SCREENS_DIR, 'issue9-compare-slider-stage.png') });

    await page.getByTestId('compare-divider').focus();
    const before = await splitNow();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
    expect(await splitNow()).toBeCloseTo(before - 10, 0);
    await page.keyboard.press('Home');
    expect(await splitNow()).toBe(0);
    await page.keyboard.press('End');
    expect(await splitNow()).toBe(100);
    await page.keyboard.press('PageDown');
    await page.keyboard.press('PageDown');
    await page.keyboard.press('PageDown');
    expect(await splitNow()).toBe(70);
    // The arrows moved the divider, not B.
    expect(await factOf('lightbox-facts-b', 'frame')).toMatch(/^3 of 3/);
    await studio.screenshot(page, 'issue9-compare-slider-keys');
    expect(await guard.problems()).toEqual([]);
  });

  it('shows the two frames side by side, then B from another node', async () => {
    await page.getByTestId('compare-view-side').click();
    await page.getByTestId('compare-side').waitFor();
    expect(await page.getByTestId('compare-slider').count()).toBe(0);
    await page.locator('[data-testid="compare-side-a"][data-full="true"]').waitFor();
    await page.locator('[data-testid="compare-side-b"][data-full="true"]').waitFor();
    await studio.screenshot(page, 'issue9-compare-side');

    await page.getByTestId('lightbox-node').selectOption('gen2');
    await expect.poll(() => factOf('lightbox-facts-b', 'seed')).toBe('222');
    expect(await factOf('lightbox-facts-b', 'prompt')).toContain('a boat in fog');
    expect(await text('lightbox-run')).toMatch(/^run 1 of 1/);
    await page.locator('[data-testid="compare-side-b"][data-full="true"]').waitFor();
    await studio.screenshot(page, 'issue9-compare-two-nodes');

    await page.keyboard.press('v');
    await page.getByTestId('compare-slider').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('lightbox').waitFor({ state: 'detached' });
    // Esc only closed the lightbox: the run's results are all still there.
    expect(await text('frames-gen1')).toContain('3 frames');
    expect(await guard.problems()).toEqual([]);
  });
});
