import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropFiles, openIssue5Studio, referencePng, type Issue5Studio } from './issue5-harness';
import { type PageGuard } from './studio-fixture';

/**
 * Issue 9, a ComfyUI user's first step: open a ComfyUI Seedream workflow (UI or API format) and
 * get a runnable graph. In headless Chromium at 1440×900 on the real server and simulator, with
 * screenshots in test-artifacts/screens/issue9-comfy-*.png.
 */
let studio: Issue5Studio;
beforeAll(async () => {
  studio = await openIssue5Studio();
}, 120_000);
afterAll(async () => studio?.close());

const fixtureText = (name: string) => readFileSync(new URL(`../fixtures/comfyui/${name}`, import.meta.url), 'utf8');

async function editor(): Promise<{ page: Page; guard: PageGuard; close(): Promise<void> }> {
  const context = await studio.fixture.browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const opened = await studio.openEditor(context);
  return { ...opened, close: () => context.close() };
}

/** Opens a file with the toolbar's Open input and returns the notice it shows. */
async function openFile(page: Page, name: string, text: string): Promise<string> {
  await page.getByTestId('open-input').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
  await page.waitForFunction((n) => document.querySelector('[data-testid="notice"]')?.textContent?.includes(n), name);
  return (await page.getByTestId('notice').textContent()) ?? '';
}

/** The canvas zoom once the opening fit has settled (it animates for 200 ms). */
async function settledZoom(page: Page): Promise<number> {
  const zoom = () => page.locator('.react-flow__viewport').evaluate((el) => new DOMMatrix(getComputedStyle(el).transform).a);
  let last = await zoom();
  for (let i = 0; i < 20; i++) {
    await page.waitForTimeout(100);
    const now = await zoom();
    if (now === last) return now;
    last = now;
  }
  return last;
}

/** Opened readably: at a zoom where nodes are drawn in full, so the Load Image nodes' file choosers are there without zooming in. */
async function expectReadable(page: Page) {
  expect(await settledZoom(page)).toBeGreaterThanOrEqual(0.5);
  expect(await page.getByTestId('canvas').getAttribute('class')).not.toContain('zoomed-out');
  for (const id of ['load-10', 'load-11']) await page.getByTestId(`widget-${id}-image`).waitFor({ state: 'attached', timeout: 5_000 });
}

const activeTabTitle = (page: Page) => page.locator('.tab.active').getAttribute('data-title');

/** The kind of every node on the canvas, by id (notes and groups are not nodes). */
const kinds = (page: Page) =>
  page.locator('.react-flow__node-graph').evaluateAll((els) =>
    Object.fromEntries(
      els.map((el) => {
        const node = el.querySelector('[data-testid^="node-"]');
        return [el.getAttribute('data-id') ?? '', node?.getAttribute('data-kind') ?? 'placeholder'];
      }),
    ),
  );

/** Gives each Load Image node its file through the node's file chooser. */
async function giveImages(page: Page, files: [id: string, file: string, shade: number][]) {
  for (const [id, file, shade] of files) {
    await page.getByTestId(`widget-${id}-image`).setInputFiles({ name: file, mimeType: 'image/png', buffer: referencePng(shade) });
    await page.getByTestId(`node-${id}`).locator('.image-name').getByText(file).waitFor();
  }
}

const storyImages: [string, string, number][] = [
  ['load-10', 'portrait.png', 70],
  ['load-11', 'jacket.png', 180],
];

const finished = (page: Page) =>
  page.waitForFunction(() => /^(succeeded|failed|aborted)$/.test(document.querySelector('[data-testid="run-panel"]')?.getAttribute('data-phase') ?? ''), null, {
    timeout: 30_000,
  });

describe('issue 9 in the browser: opening a ComfyUI workflow', () => {
  it('opens the UI format, asks for its two images, and runs once they are given', async () => {
    const { page, guard, close } = await editor();
    const notice = await openFile(page, 'seedream-story.json', fixtureText('seedream-story.ui.json'));
    expect(notice).toContain('Imported a ComfyUI workflow (UI format): 9 of 10 nodes mapped, 1 kept as a placeholder that cannot run.');
    expect(notice).toContain('“Upscale ×2” (ImageScaleBy #14) has no counterpart here');
    expect(notice).toContain('The note “About” (MarkdownNote #15) became a note.');
    await page.getByTestId('node-seedream-1').waitFor();
    // The import report is a panel that stays: a heading, the summary, one line per finding.
    const report = page.getByTestId('notice');
    expect(await report.getAttribute('data-report')).toBe('true');
    expect(await report.locator('h2').textContent()).toBe('Opened “seedream-story.json”.');
    expect(await report.locator('.notice-report-summary').textContent()).toMatch(/^Imported a ComfyUI workflow \(UI format\): 9 of 10 nodes mapped/);
    expect(await report.locator('li').count()).toBeGreaterThan(4);
    // Named after the file, as ComfyUI names it, not "ComfyUI workflow".
    expect(await activeTabTitle(page)).toBe('seedream-story');
    expect(await page.locator('.workflow-name').textContent()).toBe('seedream-story');
    await expectReadable(page);
    await studio.screenshot(page, 'issue9-comfy-ui-opened');
    // Still there after the 5 s a toast lasts, and it covers neither the Run button nor a Load Image node.
    await page.waitForTimeout(6_000);
    expect(await report.isVisible()).toBe(true);
    const box = (await report.boundingBox())!;
    const overlaps = (b: { x: number; y: number; width: number; height: number } | null) =>
      !!b && b.x < box.x + box.width && box.x < b.x + b.width && b.y < box.y + box.height && box.y < b.y + b.height;
    expect(overlaps(await page.getByTestId('run-button').boundingBox())).toBe(false);
    for (const id of ['load-10', 'load-11']) expect(overlaps(await page.getByTestId(`node-${id}`).boundingBox())).toBe(false);
    await page.getByTestId('notice-dismiss').click();
    expect(await page.getByTestId('notice').count()).toBe(0);

    expect(await kinds(page)).toEqual({
      'load-10': 'image.load',
      'load-11': 'image.load',
      'merge-12': 'image.merge',
      'prompt-5': 'text.prompt',
      'seedream-1': 'seedream.edit-sequential',
      'save-8': 'image.save',
      'preview-9': 'image.preview',
      'comfy-14': 'placeholder',
    });
    // ComfyUI's note is a note here, with its text.
    expect(await page.getByTestId('note-note-15').textContent()).toContain("in ComfyUI's input folder before queueing.");
    // The Load Image nodes name the ComfyUI file they stand for and ask for it.
    expect(await page.getByTestId('title-load-10').textContent()).toBe('Load Image: portrait.png');
    expect(await page.getByTestId('title-load-11').textContent()).toBe('Jacket reference: jacket.png');
    for (const id of ['load-10', 'load-11']) expect(await page.getByTestId(`node-${id}`).textContent()).toMatch(/Drop a PNG or JPEG here/);
    expect(await page.getByTestId('node-comfy-14').textContent()).toContain('Upscale ×2');

    await giveImages(page, storyImages);

    const submitsBefore = (await studio.sim.counts()).submits;
    await page.getByTestId('run-button').click();
    await page.getByTestId('cost-dialog').waitFor({ timeout: 30_000 });
    await studio.screenshot(page, 'issue9-comfy-ui-cost');
    await page.getByTestId('cost-confirm').click();
    await finished(page);
    expect(await page.getByTestId('run-panel').getAttribute('data-phase')).toBe('succeeded');
    expect((await studio.sim.counts()).submits - submitsBefore).toBe(1);
    // The placeholders feed no output: the run leaves them out rather than refusing.
    expect(await page.getByTestId('run-counts').textContent()).toBe('7 done · 0 cached · 0 failed · 0 skipped');
    expect(await page.getByTestId('run-row-comfy-14').count()).toBe(0);
    expect(await page.getByTestId('frames-preview-9').textContent()).toContain('4 frames');
    await page.getByTestId('node-saved-save-8').waitFor();
    expect(await page.getByTestId('node-saved-save-8').textContent()).toMatch(/Saved as seedream-story/);
    await studio.screenshot(page, 'issue9-comfy-ui-ran');
    expect(await guard.problems()).toEqual([]);
    await close();
  }, 60_000);

  it('opens the API format as the same runnable graph, laid out left to right', async () => {
    const { page, guard, close } = await editor();
    // Dropped on the canvas this time, the other way a ComfyUI user opens a file.
    await dropFiles(page, [{ name: 'seedream-story.api.json', type: 'application/json', bytes: Buffer.from(fixtureText('seedream-story.api.json')) }]);
    await page.waitForFunction(() => document.querySelector('[data-testid="notice"]')?.textContent?.includes('seedream-story.api.json'));
    const notice = (await page.getByTestId('notice').textContent()) ?? '';
    expect(notice).toContain('Imported a ComfyUI workflow (API format): 7 of 8 nodes mapped, 1 kept as a placeholder that cannot run.');
    await page.getByTestId('node-seedream-1').waitFor();
    expect(await activeTabTitle(page)).toBe('seedream-story.api');
    expect(await kinds(page)).toEqual({
      'load-10': 'image.load',
      'load-11': 'image.load',
      'merge-12': 'image.merge',
      'prompt-5': 'text.prompt',
      'seedream-1': 'seedream.edit-sequential',
      'save-8': 'image.save',
      'preview-9': 'image.preview',
      'comfy-14': 'placeholder',
    });
    const x = async (id: string) => (await page.getByTestId(`node-${id}`).boundingBox())!.x;
    expect(await x('load-10')).toBeLessThan(await x('merge-12'));
    expect(await x('merge-12')).toBeLessThan(await x('seedream-1'));
    expect(await x('seedream-1')).toBeLessThan(await x('save-8'));
    await studio.screenshot(page, 'issue9-comfy-api-opened');
    await giveImages(page, storyImages);
    const submitsBefore = (await studio.sim.counts()).submits;
    await page.getByTestId('run-button').click();
    await page.getByTestId('cost-dialog').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('cost-total').textContent()).toBe('$0.24');
    await page.getByTestId('cost-confirm').click();
    await finished(page);
    expect(await page.getByTestId('run-panel').getAttribute('data-phase')).toBe('succeeded');
    expect(await page.getByTestId('frames-preview-9').textContent()).toContain('6 frames');
    expect((await studio.sim.counts()).submits - submitsBefore).toBe(1);
    await studio.screenshot(page, 'issue9-comfy-api-ran');
    expect(await guard.problems()).toEqual([]);
    await close();
  }, 60_000);

  it('keeps an unknown node that feeds Seedream as a placeholder, names it, and refuses to run without paying', async () => {
    type ApiNode = { class_type: string; inputs: Record<string, unknown>; _meta?: { title: string } };
    const api = JSON.parse(fixtureText('seedream-story.api.json')) as Record<string, ApiNode>;
    // A custom node between the references and Seedream, as ComfyUI users often have.
    api['20'] = { class_type: 'FancyResize', inputs: { image: ['12', 0] }, _meta: { title: 'My resize' } };
    api['1']!.inputs.image = ['20', 0];
    const { page, guard, close } = await editor();
    const notice = await openFile(page, 'custom-nodes.json', JSON.stringify(api));
    expect(notice).toContain('“My resize” (FancyResize #20) has no counterpart here; it is kept as a placeholder and cannot run.');
    expect(notice).toContain('Input “image” of “ByteDance Seedream 4.5 & 5.0” (ByteDanceSeedreamNode #1) was fed by “My resize” (FancyResize #20)');
    await page.getByTestId('node-comfy-20').waitFor();
    expect(await page.getByTestId('node-comfy-20').textContent()).toContain('My resize');
    // One column wider than the story: the whole graph would open below the readable zoom, so it
    // opens readably from its inputs instead, with the file choosers there.
    await expectReadable(page);
    expect(await page.getByTestId('placeholder-origin-comfy-20').textContent()).toBe('In ComfyUI: “My resize” (FancyResize #20).');
    await studio.screenshot(page, 'issue9-comfy-unknown-opened');
    // Esc closes the report.
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('notice').count()).toBe(0);
    await giveImages(page, storyImages);
    const submitsBefore = (await studio.sim.counts()).submits;
    await page.getByTestId('run-button').click();
    // Refused before any cost check: the error is on the Seedream node whose input the placeholder fed.
    await page.waitForFunction(() => document.querySelector('[data-testid="run-panel"]')?.getAttribute('data-phase') === 'invalid');
    expect(await page.getByTestId('run-phase').textContent()).toBe('Not run: fix the errors first');
    expect(await page.getByTestId('run-issue').allTextContents()).toContain(
      'Input "images" (image-list) of Seedream 4.5 Edit Sequential is required but not linked.',
    );
    expect(await page.getByTestId('node-issues-seedream-1').textContent()).toMatch(/required but not linked/);
    expect(await page.getByTestId('node-comfy-20').textContent()).toContain('kept as a placeholder, it cannot run');
    expect(await page.getByTestId('cost-dialog').count()).toBe(0);
    // In the queue too it is a run that did not happen, not a failed one.
    const row = page.locator('[data-testid^="queue-item-"]').first();
    expect(await row.getAttribute('data-status')).toBe('refused');
    expect(await row.locator('.queue-status').textContent()).toBe('not run');
    expect(await row.textContent()).toContain('Refused before paying: fix the errors shown on its nodes');
    await studio.screenshot(page, 'issue9-comfy-unknown-refused');
    expect((await studio.sim.counts()).submits - submitsBefore).toBe(0);
    expect(await guard.problems()).toEqual([]);
    await close();
  }, 60_000);
});
