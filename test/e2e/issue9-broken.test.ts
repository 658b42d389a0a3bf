import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIssue5Studio, referencePng, type Issue5Studio } from './issue5-harness';
import { canvasNodeIds, solidPng, type PageGuard } from './studio-fixture';

/**
 * Issue 9, "Broken today": each flow as a user takes it, in headless Chromium at 1440×900, with
 * screenshots in test-artifacts/screens/issue9-*.png.
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

async function editor(): Promise<{ page: Page; guard: PageGuard; downloads: string[] }> {
  const context = await studio.fixture.browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  opened.push(context);
  const { page, guard } = await studio.openEditor(context);
  const downloads: string[] = [];
  page.on('download', (d) => downloads.push(d.suggestedFilename()));
  return { page, guard, downloads };
}

type NodeSpec = { id: string; kind: string; x: number; y?: number; params?: Record<string, unknown>; title?: string };
type EdgeSpec = [string, string];

/** A workflow file as the editor writes one: node ids n1…, edges e1…. */
function workflow(name: string, nodes: NodeSpec[], edges: EdgeSpec[]) {
  return {
    schemaVersion: 2,
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
      return { id: `e${i + 1}`, source: { node: sn, port: sp }, target: { node: tn, port: tp } };
    }),
  };
}

/** Load Image → Seedream → Preview, built by hand (ids n1, n2, n3). */
const kite = (prompt = 'Generate 2 images of a red kite over the beach') =>
  workflow(
    'kite',
    [
      { id: 'n1', kind: 'image.load', x: 0 },
      { id: 'n2', kind: 'seedream.edit-sequential', x: 380, params: { prompt, maxImages: 2 } },
      { id: 'n3', kind: 'image.preview', x: 780 },
    ],
    [
      ['n1.image', 'n2.images'],
      ['n2.images', 'n3.images'],
    ],
  );

async function openFile(page: Page, wf: unknown, waitFor: string) {
  await page.getByTestId('open-input').setInputFiles({ name: 'wf.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(wf)) });
  await page.getByTestId(`node-${waitFor}`).waitFor();
}

async function setImage(page: Page, nodeId: string, name: string, bytes: Buffer = referencePng(90)) {
  await page.getByTestId(`widget-${nodeId}-image`).setInputFiles({ name, mimeType: 'image/png', buffer: bytes });
  await page.getByTestId(`node-${nodeId}`).getByText(name).waitFor();
}

const finished = (page: Page) =>
  page.waitForFunction(() => /^(Finished|Stopped)/.test(document.querySelector('[data-testid="run-phase"]')?.textContent ?? ''), null, { timeout: 30_000 });

/** Run: confirms the cost dialog when one opens, then waits for this run (not an earlier one) to end. */
async function run(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { __phases: string[] };
    w.__phases = [];
    const panel = document.querySelector('[data-testid="run-panel"]')!;
    new MutationObserver(() => w.__phases.push(panel.getAttribute('data-phase') ?? '')).observe(panel, { attributes: true, attributeFilter: ['data-phase'] });
  });
  await page.getByTestId('run-button').click();
  const ended = () =>
    page.waitForFunction(
      () => {
        const phases = (window as unknown as { __phases: string[] }).__phases;
        const started = phases.some((p) => p === 'starting' || p === 'running');
        return started && /^(succeeded|failed|aborted)$/.test(document.querySelector('[data-testid="run-panel"]')?.getAttribute('data-phase') ?? '');
      },
      null,
      { timeout: 30_000 },
    );
  const asked = await Promise.race([
    page
      .getByTestId('cost-dialog')
      .waitFor({ timeout: 30_000 })
      .then(() => true),
    ended().then(() => false),
  ]);
  if (asked) {
    await page.getByTestId('cost-confirm').click();
    await ended();
  }
}

async function addFromPalette(page: Page, kind: string): Promise<string> {
  const before = new Set(await canvasNodeIds(page));
  await page.getByTestId(`palette-item-${kind}`).click();
  await page.waitForFunction((n) => document.querySelectorAll('.react-flow__node').length === n, before.size + 1);
  const [added] = (await canvasNodeIds(page)).filter((id) => !before.has(id));
  await page.getByTestId(`node-${added}`).waitFor({ state: 'visible' });
  return added!;
}

/** Drags a link from one handle over another and reads the refusal hint shown there (the mouse stays down). */
async function dragHint(page: Page, fromTestId: string, toTestId: string): Promise<string> {
  const from = (await page.getByTestId(fromTestId).boundingBox())!;
  const to = (await page.getByTestId(toTestId).boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 8; i++) {
    await page.mouse.move(from.x + ((to.x - from.x) * i) / 8 + from.width / 2, from.y + ((to.y - from.y) * i) / 8 + from.height / 2);
  }
  const hint = page.getByTestId('connection-hint');
  await hint.waitFor();
  return (await hint.textContent()) ?? '';
}

/** A workflow ran, then ran again fully cached: the state the blank page and the leak came from. */
async function afterCachedRun() {
  const opened = await editor();
  await openFile(opened.page, kite(), 'n2');
  await setImage(opened.page, 'n1', 'kite.png');
  await run(opened.page);
  await run(opened.page);
  expect(await opened.page.getByTestId('node-status-n2').textContent()).toBe('cached');
  return opened;
}

describe('issue 9, broken today, in a browser', () => {
  it('1. adds Seedream after New following a cached run, and Load Image then Seedream, without a blank page', async () => {
    const { page, guard } = await afterCachedRun();
    await page.getByTestId('new-button').click();
    await page.getByTestId('empty-state').waitFor();
    const gen = await addFromPalette(page, 'seedream.edit-sequential');
    expect(await page.getByTestId('toolbar').isVisible()).toBe(true);
    await studio.screenshot(page, 'issue9-1-new-then-seedream');
    await page.getByTestId('new-button').click();
    const load = await addFromPalette(page, 'image.load');
    const gen2 = await addFromPalette(page, 'seedream.edit-sequential');
    expect([gen, load, gen2].some((id) => ['n1', 'n2', 'n3'].includes(id))).toBe(false);
    expect(await page.getByTestId(`node-${gen2}`).isVisible()).toBe(true);
    await studio.screenshot(page, 'issue9-1-new-then-load-then-seedream');
    expect(await guard.problems()).toEqual([]);
  });

  it('2. shows no run state of the old graph on New or on a template that reuses its ids', async () => {
    const { page, guard } = await afterCachedRun();
    await page.getByTestId('new-button').click();
    const load = await addFromPalette(page, 'image.load');
    expect(await page.getByTestId(`node-status-${load}`).count()).toBe(0);
    expect(await page.locator('[data-testid^="run-row-"]').count()).toBe(0);
    expect(await page.getByTestId('run-phase').textContent()).toBe('Not run yet');
    // A graph with the same ids n1…n3, never run: nothing says "cached" or "done".
    await openFile(page, kite('Generate 2 images of a blue boat at dawn'), 'n2');
    for (const id of ['n1', 'n2', 'n3']) expect(await page.getByTestId(`node-status-${id}`).count()).toBe(0);
    expect(await page.locator('[data-testid^="run-row-"]').count()).toBe(0);
    expect(await page.getByTestId('frames-n2').count()).toBe(0);
    await studio.screenshot(page, 'issue9-2-other-graph-no-leak');
    expect(await guard.problems()).toEqual([]);
  });

  it('3. leaves the run going on Esc; Stop cancels, and the panel counts it cancelled, not failed', async () => {
    const { page, guard } = await editor();
    await openFile(page, kite(), 'n2');
    await setImage(page, 'n1', 'kite.png');
    await studio.sim.push({ kind: 'job', queueDelayMs: 60_000 });
    await page.getByTestId('run-button').click();
    await page.getByTestId('cost-confirm').click();
    await page.waitForFunction(() => /queued/.test(document.querySelector('[data-testid="node-status-n2"]')?.textContent ?? ''));
    await page.locator('.react-flow__pane').click({ position: { x: 40, y: 40 } });
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.waitForTimeout(500);
    expect(await page.getByTestId('stop-button').isVisible()).toBe(true);
    expect(await page.getByTestId('run-phase').textContent()).toBe('Running');
    expect(await page.getByTestId('node-status-n2').textContent()).toMatch(/queued/);
    await studio.screenshot(page, 'issue9-3-esc-keeps-running');
    await page.getByTestId('stop-button').click();
    await finished(page);
    await page.waitForFunction(() => /cancelled/.test(document.querySelector('[data-testid="node-status-n2"]')?.textContent ?? ''));
    await page.waitForFunction(() => /1 cancelled/.test(document.querySelector('[data-testid="run-counts"]')?.textContent ?? ''));
    expect(await page.getByTestId('run-counts').textContent()).toMatch(/0 failed/);
    await studio.screenshot(page, 'issue9-3-stopped-cancelled');
    expect(await guard.problems()).toEqual([]);
  });

  it('4. downloads once when a cached run follows, and again on "Save again"', async () => {
    const { page, guard, downloads } = await editor();
    await openFile(
      page,
      workflow(
        'save',
        [
          { id: 'n1', kind: 'image.load', x: 0 },
          { id: 'n2', kind: 'image.save', x: 400, params: { prefix: 'kite' } },
        ],
        [['n1.image', 'n2.images']],
      ),
      'n2',
    );
    await setImage(page, 'n1', 'kite.png');
    await run(page);
    await page.waitForFunction(() => !!document.querySelector('[data-testid="node-saved-n2"]'));
    await run(page);
    await page.waitForTimeout(500);
    expect(downloads).toEqual(['kite-01.png']);
    expect(await page.getByTestId('node-saved-n2').textContent()).toMatch(/Saved as kite-01\.png/);
    await studio.screenshot(page, 'issue9-4-saved-once');
    await page.getByTestId('save-again-n2').click();
    await page.waitForFunction(() => /Saved again/.test(document.body.innerText));
    expect(downloads).toEqual(['kite-01.png', 'kite-01.png']);
    expect(await guard.problems()).toEqual([]);
  });

  it('5. flags the warnings of a paid node on the node and next to its cost row, and fixes Max images in one click', async () => {
    const { page, guard } = await editor();
    await openFile(
      page,
      workflow(
        'kites',
        [
          { id: 'n1', kind: 'image.load', x: 0 },
          { id: 'n2', kind: 'image.load', x: 0, y: 320 },
          { id: 'n3', kind: 'text.prompt', x: 0, y: 640, params: { text: 'Generate 4 images of a red kite over the beach, from dawn to night' } },
          { id: 'n4', kind: 'seedream.edit-sequential', x: 400, params: { maxImages: 14 } },
          { id: 'n5', kind: 'image.preview', x: 800 },
        ],
        [
          ['n1.image', 'n4.images'],
          ['n2.image', 'n4.images'],
          ['n3.text', 'n4.prompt'],
          ['n4.images', 'n5.images'],
        ],
      ),
      'n4',
    );
    await setImage(page, 'n1', 'kite.png', referencePng(60));
    await setImage(page, 'n2', 'beach.png', referencePng(160));
    expect(await page.getByTestId('node-issue-badge-n4').textContent()).toBe('⚠ 2');
    const onNode = await page.getByTestId('param-problem-n4-maxImages').textContent();
    expect(onNode).toMatch(/15 − 2 = 13 images/);
    expect(onNode).toMatch(/linked prompt asks for 4 images but Max images is 14/);
    const submits = (await studio.sim.counts()).submits;
    await page.getByTestId('run-button').click();
    await page.getByTestId('cost-dialog').waitFor();
    expect(await page.getByTestId('cost-total').textContent()).toBe('$0.56');
    expect(await page.getByTestId('cost-warnings-note').isVisible()).toBe(true);
    expect(await page.getByTestId('cost-warnings-n4').textContent()).toMatch(/asks for 4 images/);
    await studio.screenshot(page, 'issue9-5-cost-dialog-warnings');
    await page.getByTestId('cost-fix-n4-maxImages-4').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="cost-total"]')?.textContent === '$0.16');
    expect(await page.getByTestId('cost-warnings-n4').count()).toBe(0);
    await studio.screenshot(page, 'issue9-5-cost-dialog-fixed');
    await page.getByTestId('cost-cancel').click();
    expect(await page.getByTestId('node-issue-badge-n4').count()).toBe(0);
    expect((await studio.sim.counts()).submits).toBe(submits);
    expect(await guard.problems()).toEqual([]);
  });

  it('6. smaller: refused image, /599, cascading palette clicks, titled refusals, numbered rows, Place on canvas asks', async () => {
    const { page, guard } = await editor();
    await openFile(
      page,
      workflow(
        'two',
        [
          { id: 'n1', kind: 'image.load', x: 0 },
          { id: 'n2', kind: 'seedream.edit-sequential', x: 400, params: { prompt: 'Generate 2 images of a fox in snow', maxImages: 2 } },
          { id: 'n3', kind: 'seedream.edit-sequential', x: 400, y: 560, params: { prompt: 'Generate 2 images of a bear in rain', maxImages: 2 } },
          { id: 'n4', kind: 'image.preview', x: 800 },
          { id: 'n5', kind: 'image.preview', x: 800, y: 560 },
        ],
        [
          ['n1.image', 'n2.images'],
          ['n1.image', 'n3.images'],
          ['n2.images', 'n4.images'],
          ['n3.images', 'n5.images'],
        ],
      ),
      'n3',
    );
    await setImage(page, 'n1', 'fox.png');
    // A refused file: the node says it keeps its image.
    await page.getByTestId('widget-n1-image').setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: solidPng([1, 2, 3], 5, 5) });
    const refusal = page.getByTestId('image-problem-n1');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/“tiny\.png” was not used: .*The node keeps fox\.png\./);
    await studio.screenshot(page, 'issue9-6-refused-image');
    // The prompt counter: 599 is the limit.
    expect(await page.getByTestId('widget-n2-prompt-counter').textContent()).toMatch(/\/599$/);
    // Identical rows: numbered, with a hint.
    await page.getByTestId('run-button').click();
    await page.getByTestId('cost-dialog').waitFor();
    expect(await page.getByTestId('cost-row-n2').textContent()).toMatch(/Seedream 4\.5 Edit Sequential #1 — “Generate 2 images of a fox/);
    expect(await page.getByTestId('cost-row-n3').textContent()).toMatch(/Seedream 4\.5 Edit Sequential #2 — “Generate 2 images of a bear/);
    await studio.screenshot(page, 'issue9-6-numbered-rows');
    await page.getByTestId('cost-cancel').click();
    // A refused link names titles, not ids.
    const prompt = await addFromPalette(page, 'text.prompt');
    const hint = await dragHint(page, `handle-${prompt}-out-text`, 'handle-n4-in-images');
    expect(hint).toMatch(/of “Prompt” carries text, but input “Images” of “Preview”/);
    expect(hint).not.toMatch(/\bn\d+\b/);
    await studio.screenshot(page, 'issue9-6-titled-refusal');
    await page.mouse.up();
    // Palette clicks cascade, in view.
    await page.getByTestId('new-button').click();
    const placed: { x: number; y: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await addFromPalette(page, 'image.load');
      placed.push((await page.getByTestId(`node-${id}`).boundingBox())!);
    }
    const pane = (await page.locator('.react-flow').boundingBox())!;
    expect(new Set(placed.map((p) => `${Math.round(p.x)},${Math.round(p.y)}`)).size).toBe(3);
    for (const p of placed) {
      expect(p.x).toBeGreaterThanOrEqual(pane.x);
      expect(p.x).toBeLessThan(pane.x + pane.width);
    }
    await studio.screenshot(page, 'issue9-6-cascade');
    // Place on canvas asks before replacing the graph.
    await page.getByTestId('templates-button').click();
    await page.getByTestId('use-builtin:storyboard').click();
    await page.getByTestId('use-template-place').click();
    await page.getByTestId('use-template-ask').waitFor();
    await studio.screenshot(page, 'issue9-6-place-asks');
    await page.getByTestId('use-template-beside').click();
    await page.getByTestId('use-template-form').waitFor({ state: 'detached' });
    expect((await canvasNodeIds(page)).length).toBeGreaterThan(3);
    expect(await guard.problems()).toEqual([]);
  });
});
