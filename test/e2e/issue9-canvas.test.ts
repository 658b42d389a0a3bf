import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIssue5Studio, referencePng, type Issue5Studio } from './issue5-harness';
import { type PageGuard } from './studio-fixture';

/**
 * Issue 9, what ComfyUI users reach for on the canvas: context menus, bypass and mute, editable
 * titles, notes, groups, links dragged off inputs, room for the canvas. In headless Chromium at
 * 1440×900, with screenshots in test-artifacts/screens/issue9-canvas-*.png.
 */
let studio: Issue5Studio;
beforeAll(async () => {
  studio = await openIssue5Studio();
}, 120_000);
afterAll(async () => studio?.close());

const opened: BrowserContext[] = [];
afterAll(async () => {
  for (const c of opened) await c.close().catch(() => undefined);
});

async function editor(): Promise<{ page: Page; guard: PageGuard }> {
  const context = await studio.fixture.browser.newContext({ viewport: { width: 1440, height: 900 } });
  opened.push(context);
  return studio.openEditor(context);
}

type NodeSpec = { id: string; kind: string; x: number; y?: number; params?: Record<string, unknown>; title?: string };

/** A workflow file as the editor writes one. */
function workflow(name: string, nodes: NodeSpec[], edges: [string, string][]) {
  return {
    schemaVersion: 3,
    meta: { name },
    nodes: nodes.map((n) => ({
      id: n.id,
      kind: n.kind,
      kindVersion: 1,
      position: { x: n.x, y: n.y ?? 0 },
      params: n.params ?? {},
      ...(n.title ? { title: n.title } : {}),
    })),
    edges: edges.map(([from, to], i) => {
      const [sn, sp] = from.split('.');
      const [tn, tp] = to.split('.');
      return { id: `e${i + 1}`, source: { node: sn, port: sp }, target: { node: tn, port: tp }, order: i };
    }),
  };
}

/** Two references into Seedream "n3" → Preview, and a second Seedream "n5" on the first reference → Preview. */
const twoSeedreams = () =>
  workflow(
    'two seedreams',
    [
      { id: 'n1', kind: 'image.load', x: 0, y: 0 },
      { id: 'n2', kind: 'image.load', x: 0, y: 330 },
      { id: 'n3', kind: 'seedream.edit-sequential', x: 380, y: 0, params: { prompt: 'Generate 2 images of a red kite over the beach', maxImages: 2 } },
      { id: 'n4', kind: 'image.preview', x: 800, y: 0 },
      { id: 'n5', kind: 'seedream.edit-sequential', x: 380, y: 560, params: { prompt: 'Generate 2 images of a kite at night', maxImages: 2 } },
      { id: 'n6', kind: 'image.preview', x: 800, y: 560 },
    ],
    [
      ['n1.image', 'n3.images'],
      ['n2.image', 'n3.images'],
      ['n3.images', 'n4.images'],
      ['n1.image', 'n5.images'],
      ['n5.images', 'n6.images'],
    ],
  );

async function openFile(page: Page, wf: unknown, waitFor: string) {
  await page.getByTestId('open-input').setInputFiles({ name: 'wf.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(wf)) });
  await page.getByTestId(`node-${waitFor}`).waitFor();
}

async function setImage(page: Page, nodeId: string, name: string, shade = 90) {
  await page.getByTestId(`widget-${nodeId}-image`).setInputFiles({ name, mimeType: 'image/png', buffer: referencePng(shade) });
  await page.getByTestId(`node-${nodeId}`).getByText(name).waitFor();
}

/** Right-clicks a point of an element (its header for nodes) and waits for the menu. */
async function rightClick(page: Page, selector: string, offset = { x: 30, y: 12 }) {
  const box = (await page.locator(selector).first().boundingBox())!;
  await page.mouse.click(box.x + offset.x, box.y + offset.y, { button: 'right' });
  await page.getByTestId('context-menu').waitFor();
}

const headerOf = (id: string) => `[data-testid="node-${id}"] .node-header`;

/** Clicks Run and waits for the cost dialog. */
async function runUntilCost(page: Page) {
  await page.getByTestId('run-button').click();
  await page.getByTestId('cost-dialog').waitFor({ timeout: 30_000 });
}

const finished = (page: Page) =>
  page.waitForFunction(() => /^(succeeded|failed|aborted)$/.test(document.querySelector('[data-testid="run-panel"]')?.getAttribute('data-phase') ?? ''), null, {
    timeout: 30_000,
  });

/** A point of the canvas with nothing drawn on it, near the given fractions of its width and height. */
async function emptySpot(page: Page, fx: number, fy: number): Promise<{ x: number; y: number }> {
  return page.evaluate(
    ([fx, fy]) => {
      const box = document.querySelector('[data-testid="canvas"]')!.getBoundingClientRect();
      for (let r = 0; r < 400; r += 20) {
        for (const [dx, dy] of [
          [0, 0],
          [r, 0],
          [0, r],
          [-r, 0],
          [0, -r],
          [r, r],
          [-r, -r],
        ]) {
          const x = box.x + box.width * fx! + dx!;
          const y = box.y + box.height * fy! + dy!;
          if (document.elementFromPoint(x, y)?.classList.contains('react-flow__pane')) return { x: Math.round(x), y: Math.round(y) };
        }
      }
      throw new Error('no empty spot on the canvas');
    },
    [fx, fy],
  );
}

/** Drags the input end of the link at an input handle (just left of it, where React Flow's reconnect anchor is) to a point. */
async function dragLinkEnd(page: Page, handleTestId: string, to: { x: number; y: number; width: number; height: number } | null) {
  const handle = (await page.getByTestId(handleTestId).boundingBox())!;
  const from = { x: handle.x - 6, y: handle.y + handle.height / 2 };
  const end = { x: to!.x + to!.width / 2, y: to!.y + to!.height / 2 };
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(from.x + ((end.x - from.x) * i) / 10, from.y + ((end.y - from.y) * i) / 10);
  await page.mouse.up();
}

/** Where a node is drawn on screen (its top-left), in page pixels. */
async function topLeft(page: Page, id: string) {
  const box = (await page.getByTestId(`node-${id}`).boundingBox())!;
  return { x: box.x, y: box.y };
}

describe('issue 9, the canvas a ComfyUI user reaches for, in a browser', () => {
  it('right-click → Bypass → Run: the cost dialog shows $0 for the bypassed Seedream, and the simulator sees no submit for it', async () => {
    const { page, guard } = await editor();
    await openFile(page, twoSeedreams(), 'n5');
    await setImage(page, 'n1', 'kite.png', 90);
    await setImage(page, 'n2', 'beach.png', 160);
    await rightClick(page, headerOf('n3'));
    await studio.screenshot(page, 'issue9-canvas-node-menu');
    await page.getByTestId('menu-bypass').click();
    await page.getByTestId('mode-n3').waitFor();
    expect(await page.getByTestId('node-n3').getAttribute('class')).toMatch(/mode-bypass/);
    const before = (await studio.sim.submits()).length;
    await runUntilCost(page);
    expect(await page.getByTestId('cost-row-n3').getAttribute('data-status')).toBe('bypassed');
    expect(await page.getByTestId('cost-row-n3').textContent()).toMatch(/\$0\.00 \(bypassed/);
    expect(await page.getByTestId('cost-row-n5').getAttribute('data-status')).toBe('pay');
    await studio.screenshot(page, 'issue9-canvas-bypass-cost');
    await page.getByTestId('cost-confirm').click();
    await finished(page);
    expect((await studio.sim.submits()).length - before).toBe(1);
    expect(await page.getByTestId('node-status-n3').textContent()).toBe('bypassed');
    // The preview after the bypassed Seedream shows its two references, passed on.
    await page
      .waitForFunction(() => document.querySelectorAll('[data-testid="frames-n4"] img, [data-testid="frames-n4"] [data-frame]').length >= 2, null, {
        timeout: 15_000,
      })
      .catch(() => undefined);
    await studio.screenshot(page, 'issue9-canvas-bypass-run');
    // Ctrl+M mutes the selected node: it and what needs it are skipped, named so.
    await page.getByTestId('node-n5').click({ position: { x: 40, y: 14 } });
    await page.keyboard.press('Control+m');
    expect(await page.getByTestId('node-n5').getAttribute('class')).toMatch(/mode-mute/);
    expect(await guard.problems()).toEqual([]);
  });

  it('right-click the canvas → Add node here: the search opens there and the node lands at the click point', async () => {
    const { page, guard } = await editor();
    await openFile(page, twoSeedreams(), 'n5');
    const at = await emptySpot(page, 0.62, 0.2);
    await page.mouse.click(at.x, at.y, { button: 'right' });
    await page.getByTestId('context-menu').waitFor();
    await studio.screenshot(page, 'issue9-canvas-pane-menu');
    await page.getByTestId('menu-add-node').click();
    const search = (await page.getByTestId('node-search').boundingBox())!;
    expect(Math.abs(search.x - at.x)).toBeLessThan(4);
    await page.getByTestId('node-search-input').fill('prompt');
    await page.keyboard.press('Enter');
    await page.getByTestId('node-n7').waitFor();
    const placed = await topLeft(page, 'n7');
    expect(Math.abs(placed.x - at.x)).toBeLessThan(3);
    expect(Math.abs(placed.y - at.y)).toBeLessThan(3);
    expect(await guard.problems()).toEqual([]);
  });

  it('double-click a title → rename: the Run panel and the cost dialog name the node by its new title', async () => {
    const { page, guard } = await editor();
    await openFile(page, twoSeedreams(), 'n5');
    await setImage(page, 'n1', 'kite.png', 90);
    await setImage(page, 'n2', 'beach.png', 160);
    await page.getByTestId('title-n5').dblclick();
    await page.getByTestId('title-input-n5').fill('Night kite');
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('title-n5').textContent()).toBe('Night kite');
    await runUntilCost(page);
    expect(await page.getByTestId('cost-row-n5').textContent()).toMatch(/^Night kite/);
    await studio.screenshot(page, 'issue9-canvas-renamed-cost');
    await page.getByTestId('cost-confirm').click();
    await finished(page);
    expect(await page.getByTestId('run-row-n5').textContent()).toMatch(/Night kite/);
    // Undo brings the kind's title back.
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('Control+z');
    expect(await page.getByTestId('title-n5').textContent()).toBe('Seedream 4.5 Edit Sequential');
    expect(await guard.problems()).toEqual([]);
  });

  it('adds a note whose markdown is drawn, and whose HTML and script links stay inert text', async () => {
    const { page, guard } = await editor();
    await openFile(page, twoSeedreams(), 'n5');
    const spot = await emptySpot(page, 0.75, 0.45);
    await page.mouse.click(spot.x, spot.y, { button: 'right' });
    await page.getByTestId('menu-add-note').click();
    const editorBox = page.locator('[data-testid^="note-editor-"]');
    await editorBox.waitFor();
    await editorBox.fill(
      '# Plan\nUse **two** references, then *pick* frames.\n- kite\n- beach\n[RunComfy](https://www.runcomfy.com) · [bad](javascript:window.__pwned=1)\n<img src=x onerror="window.__pwned=2">',
    );
    await page.keyboard.press('Escape');
    const note = page.locator('.canvas-note .note-markdown');
    await note.waitFor();
    expect(await note.locator('h3').textContent()).toBe('Plan');
    expect(await note.locator('strong').textContent()).toBe('two');
    expect(await note.locator('li').count()).toBe(2);
    const links = await note.locator('a').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.getAttribute('rel')]));
    expect(links).toEqual([['https://www.runcomfy.com/', 'noopener noreferrer']]);
    expect(await note.locator('img').count()).toBe(0);
    expect(await note.textContent()).toContain('<img src=x');
    await studio.screenshot(page, 'issue9-canvas-note');
    expect(await guard.problems()).toEqual([]);
  });

  it('groups two nodes, and moving the group by its title moves them with it', async () => {
    const { page, guard } = await editor();
    await openFile(page, twoSeedreams(), 'n5');
    await page.getByTestId('node-n1').click({ position: { x: 40, y: 14 } });
    await page.getByTestId('node-n2').click({ position: { x: 40, y: 14 }, modifiers: ['Control'] });
    await rightClick(page, headerOf('n2'));
    await page.getByTestId('menu-group').click();
    const group = page.locator('[data-testid^="group-"]');
    await group.waitFor();
    const [a0, b0] = [await topLeft(page, 'n1'), await topLeft(page, 'n2')];
    await studio.screenshot(page, 'issue9-canvas-group');
    const title = (await group.locator('.frame-title').boundingBox())!;
    await page.mouse.move(title.x + 60, title.y + title.height / 2);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(title.x + 60 + 12 * i, title.y + title.height / 2 + 6 * i);
    await page.mouse.up();
    const [a1, b1] = [await topLeft(page, 'n1'), await topLeft(page, 'n2')];
    expect(Math.round(a1.x - a0.x)).toBe(Math.round(b1.x - b0.x));
    expect(Math.round(a1.y - a0.y)).toBe(Math.round(b1.y - b0.y));
    expect(a1.x - a0.x).toBeGreaterThan(60);
    await studio.screenshot(page, 'issue9-canvas-group-moved');
    expect(await guard.problems()).toEqual([]);
  });

  it('drags a link off an input onto another input to move it, and onto empty canvas to remove it', async () => {
    const { page, guard } = await editor();
    await openFile(page, twoSeedreams(), 'n5');
    const badges = page.locator('[data-testid^="merge-badge-"]');
    expect(await badges.count()).toBe(2); // the two references of n3, numbered 1 and 2
    // Off Preview n4's input, onto Preview n6's: n6 now merges two links, numbered.
    await dragLinkEnd(page, 'handle-n4-in-images', await page.getByTestId('handle-n6-in-images').boundingBox());
    await page
      .getByTestId('node-n4')
      .getByText(/required but not linked/)
      .waitFor();
    expect(await badges.count()).toBe(4);
    await studio.screenshot(page, 'issue9-canvas-link-moved');
    // Off n6's input onto empty canvas: that link is gone.
    await dragLinkEnd(page, 'handle-n6-in-images', await emptySpot(page, 0.55, 0.55).then((p) => ({ x: p.x, y: p.y, width: 0, height: 0 })));
    await studio.screenshot(page, 'issue9-canvas-link-dropped');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid^="merge-badge-"]').length === 2);
    expect(await page.locator('.react-flow__edge').count()).toBe(4);
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__edge').length === 5);
    expect(await guard.problems()).toEqual([]);
  });
});
