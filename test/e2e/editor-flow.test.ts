import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canvasNodeIds, connect, dropFiles, openStudio, savedWorkflow, solidPng, type PageGuard, type StudioFixture } from './studio-fixture';

/**
 * A newcomer's first session, in order, in one browser profile: build a graph by hand (drop
 * images, add nodes from the palette, type a prompt, drag links), check the cost, run, look at
 * the frames, undo and redo, and find everything again after a reload.
 */
let studio: StudioFixture;
let context: BrowserContext;
let page: Page;
let guard: PageGuard;

beforeAll(async () => {
  studio = await openStudio();
  context = await studio.newContext();
  ({ page, guard } = await studio.openEditor(context));
}, 60_000);
afterAll(async () => {
  await context?.close();
  await studio?.close();
});
// Every step: no page error, CSP refusal, dialog or tripped trap.
afterEach(async () => {
  expect(await guard.problems()).toEqual([]);
});

const PROMPT = 'Generate 4 images: the same red kite over a beach at dawn, noon, dusk and night';
const ids: { refs: string[]; prompt: string; gen: string; save: string; preview: string } = { refs: [], prompt: '', gen: '', save: '', preview: '' };

/** Drags a palette entry onto the canvas at (x, y) in page pixels; returns the new node's id. */
async function addFromPalette(kind: string, x: number, y: number): Promise<string> {
  const before = new Set(await canvasNodeIds(page));
  await page.getByTestId(`palette-item-${kind}`).dragTo(page.locator('.react-flow__pane'), { targetPosition: await paneOffset(x, y) });
  await page.waitForFunction((n) => document.querySelectorAll('.react-flow__node').length === n, before.size + 1);
  const added = (await canvasNodeIds(page)).filter((id) => !before.has(id));
  expect(added).toHaveLength(1);
  // Shown once React Flow has measured it (its handles can take links from then on).
  await page.getByTestId(`node-${added[0]}`).waitFor({ state: 'visible' });
  return added[0]!;
}

async function paneOffset(x: number, y: number): Promise<{ x: number; y: number }> {
  const pane = (await page.locator('.react-flow__pane').boundingBox())!;
  return { x: x - pane.x, y: y - pane.y };
}

async function edgeCount(): Promise<number> {
  return page.locator('.react-flow__edge').count();
}

/** Whether two nodes' boxes on screen overlap. */
async function overlapping(a: string, b: string): Promise<boolean> {
  const [p, q] = [(await page.getByTestId(`node-${a}`).boundingBox())!, (await page.getByTestId(`node-${b}`).boundingBox())!];
  return p.x < q.x + q.width && q.x < p.x + p.width && p.y < q.y + q.height && q.y < p.y + p.height;
}

describe('the editor in a browser, as a newcomer uses it', () => {
  it('opens on an empty canvas with the simulator banner and templates', async () => {
    await page.getByTestId('empty-state').waitFor();
    expect(await page.getByTestId('simulator-banner').textContent()).toMatch(/Simulator/);
    expect(await page.getByTestId('empty-state').locator('button[data-testid^="template-"]').count()).toBeGreaterThanOrEqual(4);
    // No empty minimap box over the help card.
    expect(await page.locator('.react-flow__minimap').count()).toBe(0);
    await studio.screenshot(page, '01-empty');
    expect(await guard.problems()).toEqual([]);
  });

  it('makes one Load Image node per dropped image', async () => {
    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    await dropFiles(
      page,
      [
        { name: 'kite-red.png', type: 'image/png', bytes: solidPng([200, 40, 40]) },
        { name: 'beach.png', type: 'image/png', bytes: solidPng([40, 120, 200], 80, 120) },
      ],
      { x: canvas.x + 120, y: canvas.y + 80 },
    );
    await page.locator('[data-kind="image.load"]').nth(1).waitFor();
    ids.refs = await page.locator('[data-kind="image.load"]').evaluateAll((els) => els.map((el) => el.getAttribute('data-testid')!.slice('node-'.length)));
    expect(ids.refs).toHaveLength(2);
    // Titled after the files, each showing its image (decoded in the page, from IndexedDB).
    expect(await page.getByTestId(`node-${ids.refs[0]}`).locator('.node-title').textContent()).toBe('kite-red');
    for (const id of ids.refs) await page.getByTestId(`image-preview-${id}`).locator('img').waitFor();
    expect(await page.getByTestId(`node-${ids.refs[1]}`).textContent()).toContain('80×120');
  });

  it('adds Prompt, Seedream, Save and Preview nodes from the palette and takes a typed prompt', async () => {
    // Zoom out (the canvas controls) to make room, then drop each node beside the others.
    for (let i = 0; i < 3; i++) await page.locator('.react-flow__controls-zoomout').click();
    await page.waitForFunction(() => {
      const m = /scale\(([\d.]+)\)/.exec((document.querySelector('.react-flow__viewport') as HTMLElement).style.transform);
      return m !== null && Number(m[1]) < 0.6;
    });
    // Pan the empty canvas so the images sit at the top left again.
    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    const first = (await page.getByTestId(`node-${ids.refs[0]}`).boundingBox())!;
    const grab = { x: canvas.x + canvas.width - 260, y: canvas.y + 30 };
    await page.mouse.move(grab.x, grab.y);
    await page.mouse.down();
    await page.mouse.move(grab.x - (first.x - canvas.x - 40) / 2, grab.y - (first.y - canvas.y - 30) / 2, { steps: 4 });
    await page.mouse.move(grab.x - (first.x - canvas.x - 40), grab.y - (first.y - canvas.y - 30), { steps: 4 });
    await page.mouse.up();
    const refs = await Promise.all(ids.refs.map(async (id) => (await page.getByTestId(`node-${id}`).boundingBox())!));
    expect(Math.abs(refs[0]!.x - canvas.x - 40)).toBeLessThan(3);
    const left = Math.min(...refs.map((b) => b.x));
    const right = Math.max(...refs.map((b) => b.x + b.width));
    const top = Math.min(...refs.map((b) => b.y));
    const bottom = Math.max(...refs.map((b) => b.y + b.height));
    ids.prompt = await addFromPalette('text.prompt', left, bottom + 30);
    ids.gen = await addFromPalette('seedream.edit-sequential', right + 90, top + 60);
    const gen = (await page.getByTestId(`node-${ids.gen}`).boundingBox())!;
    ids.save = await addFromPalette('image.save', gen.x + gen.width + 90, gen.y);
    const save = (await page.getByTestId(`node-${ids.save}`).boundingBox())!;
    ids.preview = await addFromPalette('image.preview', save.x, save.y + save.height + 40);
    const all = await canvasNodeIds(page);
    for (const a of all) for (const b of all) if (a < b) expect(await overlapping(a, b), `${a} overlaps ${b}`).toBe(false);

    const prompt = page.getByTestId(`widget-${ids.prompt}-text`);
    await prompt.click();
    await page.keyboard.type(PROMPT.slice(0, 24));
    await prompt.fill(PROMPT);
    const maxImages = page.getByTestId(`widget-${ids.gen}-maxImages`);
    await maxImages.fill('4');
    await maxImages.press('Tab');
    expect(await prompt.inputValue()).toBe(PROMPT);
  });

  it('links the nodes by dragging between handles, and refuses a link of the wrong type', async () => {
    for (const ref of ids.refs) await connect(page, `handle-${ref}-out-image`, `handle-${ids.gen}-in-images`);
    await connect(page, `handle-${ids.prompt}-out-text`, `handle-${ids.gen}-in-prompt`);
    await connect(page, `handle-${ids.gen}-out-images`, `handle-${ids.save}-in-images`);
    await connect(page, `handle-${ids.gen}-out-images`, `handle-${ids.preview}-in-images`);
    await expect.poll(edgeCount).toBe(5);
    // The inline prompt gives way to the linked one.
    expect(await page.getByTestId(`node-${ids.gen}`).textContent()).toContain('from the linked input');

    // text → image-list is not a link: nothing is added.
    await connect(page, `handle-${ids.prompt}-out-text`, `handle-${ids.save}-in-images`);
    await page.waitForTimeout(100);
    expect(await edgeCount()).toBe(5);
    await page.keyboard.press('Escape');
    await studio.screenshot(page, '02-graph');
  });

  it('arranges the graph with Auto-layout, leaving room for the frames a run adds', async () => {
    await page.getByTestId('layout-button').click();
    // Save and Preview end up in one column, one under the other.
    await expect
      .poll(async () => {
        const [s, p] = [(await page.getByTestId(`node-${ids.save}`).boundingBox())!, (await page.getByTestId(`node-${ids.preview}`).boundingBox())!];
        return Math.round(Math.abs(s.x - p.x));
      })
      .toBe(0);
    await page.waitForTimeout(300);
    await studio.screenshot(page, '02b-layout');
  });

  it('shows the most the run can cost before anything is submitted', async () => {
    await page.getByTestId('run-button').click();
    await page.getByTestId('cost-dialog').waitFor();
    expect(await page.getByTestId(`cost-row-${ids.gen}`).textContent()).toContain('4');
    expect(await page.getByTestId('cost-total').textContent()).toBe('$0.16');
    expect(await page.getByTestId('cost-dialog').textContent()).toMatch(/Simulator mode: nothing is submitted/);
    await studio.screenshot(page, '03-cost');
  });

  it('runs and shows the four frames on the output nodes, inside their boxes and overlapping nothing', async () => {
    await page.getByTestId('cost-confirm').click();
    await page.waitForFunction(() => /^Finished in/.test(document.querySelector('[data-testid="run-phase"]')?.textContent ?? ''), null, { timeout: 20_000 });
    for (const id of [ids.gen, ids.save, ids.preview]) {
      expect(await page.getByTestId(`frames-${id}`).textContent()).toContain('4 frames');
      for (let i = 1; i <= 4; i++) await page.getByTestId(`frame-${id}-${i}`).locator('img').waitFor();
      // Every thumbnail lies inside its node's box.
      const node = (await page.getByTestId(`node-${id}`).boundingBox())!;
      for (let i = 1; i <= 4; i++) {
        const thumb = (await page.getByTestId(`frame-${id}-${i}`).boundingBox())!;
        expect(thumb.x >= node.x && thumb.x + thumb.width <= node.x + node.width + 0.5, `frame ${i} of ${id} sideways`).toBe(true);
        expect(thumb.y >= node.y && thumb.y + thumb.height <= node.y + node.height + 0.5, `frame ${i} of ${id} below the node`).toBe(true);
      }
    }
    expect(await page.getByTestId(`node-status-${ids.save}`).getAttribute('data-status')).toBe('done');
    // The nodes grew by their frame strips; the layout left room for that.
    const all = await canvasNodeIds(page);
    for (const a of all) for (const b of all) if (a < b) expect(await overlapping(a, b), `${a} overlaps ${b}`).toBe(false);
    await studio.screenshot(page, '04-done');
  });

  it('opens a frame in the lightbox, steps through with the keyboard, and closes on Escape', async () => {
    await page.getByTestId(`frame-${ids.gen}-2`).click();
    await page.getByTestId('lightbox-image').waitFor();
    expect(await page.getByTestId('lightbox-counter').textContent()).toBe('2 / 4');
    await page.keyboard.press('ArrowRight');
    expect(await page.getByTestId('lightbox-counter').textContent()).toBe('3 / 4');
    await page.getByTestId('lightbox-next').click();
    await page.getByTestId('lightbox-next').click();
    expect(await page.getByTestId('lightbox-counter').textContent()).toBe('1 / 4');
    // Decoded to fit a screen, not the full frame.
    const { naturalWidth } = await page.getByTestId('lightbox-image').evaluate((img: HTMLImageElement) => ({ naturalWidth: img.naturalWidth }));
    expect(naturalWidth).toBeGreaterThan(0);
    await studio.screenshot(page, '06-lightbox');
    await page.keyboard.press('Escape');
    await page.getByTestId('lightbox').waitFor({ state: 'detached' });
  });

  it('undoes and redoes a deletion with the keyboard and the toolbar', async () => {
    await page.getByTestId(`node-${ids.save}`).locator('.node-header').click();
    await page.keyboard.press('Delete');
    await page.getByTestId(`node-${ids.save}`).waitFor({ state: 'detached' });
    expect(await edgeCount()).toBe(4);

    await page.keyboard.press('Control+z');
    await page.getByTestId(`node-${ids.save}`).waitFor();
    await expect.poll(edgeCount).toBe(5);
    await page.keyboard.press('Control+Shift+z');
    await page.getByTestId(`node-${ids.save}`).waitFor({ state: 'detached' });
    await page.getByTestId('undo-button').click();
    await page.getByTestId(`node-${ids.save}`).waitFor();
    await expect.poll(edgeCount).toBe(5);
    expect(await page.getByTestId('redo-button').isEnabled()).toBe(true);
  });

  it('finds the same graph, prompt and frames after a reload', async () => {
    const before = await canvasNodeIds(page);
    // Autosave runs on a short throttle: wait until the last edit is stored, as anyone would.
    const stored = async () => ((await savedWorkflow(page))?.nodes ?? []).map((n) => n.id).sort();
    await expect.poll(stored).toEqual(before);
    await page.reload();
    await page.getByTestId(`node-${ids.gen}`).waitFor();
    expect(await canvasNodeIds(page)).toEqual(before);
    expect(await edgeCount()).toBe(5);
    expect(await page.getByTestId(`widget-${ids.prompt}-text`).inputValue()).toBe(PROMPT);
    expect(await page.getByTestId(`widget-${ids.gen}-maxImages`).inputValue()).toBe('4');
    // Results come back from the cache (IndexedDB), not from a new paid run.
    await studio.screenshot(page, '07-reloaded');
    await page.getByTestId(`frame-${ids.gen}-4`).locator('img').waitFor();
    expect(await page.getByTestId(`stale-${ids.gen}`).count()).toBe(0);
    await studio.screenshot(page, '07-reloaded');
    expect(await guard.problems()).toEqual([]);
  });
});
