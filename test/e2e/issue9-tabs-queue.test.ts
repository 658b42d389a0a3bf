import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIssue5Studio, referencePng, type Issue5Studio } from './issue5-harness';
import type { PageGuard } from './studio-fixture';

/**
 * Issue 9, "Workflows library and tabs" and "A run queue", as a user takes them in headless
 * Chromium at 1440×900: two tabs with their own undo and run state; Ctrl+Enter twice queues two
 * runs, each with its cost, run in order with exactly the expected submits; Queue ×3 with
 * increment runs seeds s, s+1, s+2; Ctrl+S / Ctrl+O round trip; a reload restores the tabs.
 * Screenshots: test-artifacts/screens/issue9-tabs-*.png.
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

async function editor(): Promise<{ page: Page; guard: PageGuard; context: BrowserContext }> {
  const context = await studio.fixture.browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  opened.push(context);
  const { page, guard } = await studio.openEditor(context);
  return { page, guard, context };
}

/** Load Image → Seedream (2 images) → Preview, ids n1…n3. */
const kite = (name: string, seed: number) => ({
  schemaVersion: 2,
  meta: { name },
  nodes: [
    { id: 'n1', kind: 'image.load', kindVersion: 1, position: { x: 0, y: 0 }, params: {} },
    {
      id: 'n2',
      kind: 'seedream.edit-sequential',
      kindVersion: 1,
      position: { x: 380, y: 0 },
      params: { prompt: 'Generate 2 images of a red kite over the beach', maxImages: 2, seed },
    },
    { id: 'n3', kind: 'image.preview', kindVersion: 1, position: { x: 780, y: 0 }, params: {} },
  ],
  edges: [
    { id: 'e1', source: { node: 'n1', port: 'image' }, target: { node: 'n2', port: 'images' } },
    { id: 'e2', source: { node: 'n2', port: 'images' }, target: { node: 'n3', port: 'images' } },
  ],
});

/** Opens a workflow file: in the shown tab when it is an untouched empty one, else in a new tab. */
async function openFile(page: Page, wf: ReturnType<typeof kite>) {
  await page.getByTestId('open-input').setInputFiles({ name: 'wf.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(wf)) });
  await page.locator(`.tab.active[data-title="${wf.meta.name}"]`).waitFor();
  await page.getByTestId('node-n2').waitFor();
  await page.getByTestId('widget-n1-image').setInputFiles({ name: 'kite.png', mimeType: 'image/png', buffer: referencePng(90) });
  await page.getByTestId('node-n1').getByText('kite.png').waitFor();
}

const tabTitles = (page: Page) => page.locator('.tab-list .tab').evaluateAll((els) => els.map((e) => e.getAttribute('data-title') ?? ''));
const showTab = (page: Page, title: string) => page.locator(`.tab[data-title="${title}"]`).click();
const seedField = (page: Page) => page.getByTestId('widget-n2-seed');
const viewport = (page: Page) => page.locator('.react-flow__viewport').evaluate((e) => (e as HTMLElement).style.transform);

async function setSeed(page: Page, seed: number) {
  await seedField(page).fill(String(seed));
  await seedField(page).blur();
}

/** Ctrl+Enter on the canvas, as a user presses it. */
async function ctrlEnter(page: Page) {
  await page.locator('.react-flow__pane').click({ position: { x: 30, y: 30 } });
  await page.keyboard.press('Control+Enter');
}

/** Seeds of the page's paid jobs (ledger records, oldest first), as sent. */
const sentSeeds = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number[]>((resolve, reject) => {
        const open = indexedDB.open('sequence-studio');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('ledger').objectStore('ledger').getAll();
          req.onsuccess = () => {
            const rows = (req.result as { createdAt: number; sent: { params: { seed?: number } } }[]).sort((a, b) => a.createdAt - b.createdAt);
            resolve(rows.map((r) => r.sent.params.seed ?? -1));
            open.result.close();
          };
          req.onerror = () => reject(req.error);
        };
      }),
  );

const queueStatuses = (page: Page) => page.locator('[data-testid^="queue-item-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status') ?? ''));
const queueIdle = (page: Page) =>
  page.waitForFunction(
    () => {
      const items = [...document.querySelectorAll('[data-testid^="queue-item-"]')];
      return items.length > 0 && items.every((e) => !['pending', 'running'].includes(e.getAttribute('data-status') ?? ''));
    },
    null,
    { timeout: 40_000 },
  );

describe('issue 9, tabs, the workflows library and the run queue, in a browser', () => {
  it('keeps its own undo history and run state in each of two tabs', async () => {
    const { page, guard } = await editor();
    await openFile(page, kite('Kite A', 11));
    await page.getByTestId('tab-new').click();
    await page.getByTestId('empty-state').waitFor();
    await openFile(page, kite('Kite B', 22));
    expect(await tabTitles(page)).toEqual(['Kite A', 'Kite B']);

    await setSeed(page, 23);
    // Each tab keeps its own view: B zoomed in, A as it was.
    await page.locator('.react-flow__controls-zoomin').click();
    await page.locator('.react-flow__controls-zoomin').click();
    await page.waitForTimeout(400);
    const viewB = await viewport(page);
    await showTab(page, 'Kite A');
    expect(await viewport(page)).not.toBe(viewB);
    await setSeed(page, 12);
    await showTab(page, 'Kite B');
    expect(await viewport(page)).toBe(viewB);
    expect(await seedField(page).inputValue()).toBe('23');
    await page.getByTestId('undo-button').click();
    expect(await seedField(page).inputValue()).toBe('22');
    // Ctrl+Tab goes to the next tab, round the end.
    await page.locator('.react-flow__pane').click({ position: { x: 30, y: 30 } });
    await page.keyboard.press('Control+Tab');
    await page.locator('.tab.active[data-title="Kite A"]').waitFor();
    expect(await seedField(page).inputValue()).toBe('12');

    // A run in tab A: its badge and run state stay in A while B is shown.
    await studio.sim.push({ kind: 'job', baseMs: 30_000 });
    await page.getByTestId('run-button').click();
    await page.getByTestId('cost-confirm').click();
    await showTab(page, 'Kite B');
    const badgeA = page.locator('.tab[data-title="Kite A"] .tab-badge');
    await badgeA.waitFor();
    expect(await page.getByTestId('run-phase').textContent()).toBe('Not run yet');
    expect(await page.getByTestId('node-status-n2').count()).toBe(0);
    await studio.screenshot(page, 'issue9-tabs-two-tabs-run-in-other');
    await badgeA.waitFor({ state: 'detached', timeout: 30_000 });
    await showTab(page, 'Kite A');
    await page.waitForFunction(() => document.querySelector('[data-testid="run-panel"]')?.getAttribute('data-phase') === 'succeeded');
    expect(await page.getByTestId('frames-n2').textContent()).toContain('2 frames');
    await studio.screenshot(page, 'issue9-tabs-run-done-in-its-tab');
    expect(await guard.problems()).toEqual([]);
  }, 90_000);

  it('queues a second run on Ctrl+Enter during a run, shows each cost first, and runs both in order with exactly two submits', async () => {
    const { page, guard } = await editor();
    await openFile(page, kite('Queue me', 500));
    const before = (await studio.sim.submits()).length;
    await studio.sim.push({ kind: 'job', baseMs: 40_000 });

    await ctrlEnter(page);
    await page.getByTestId('cost-dialog').waitFor();
    expect(await page.getByTestId('cost-total').textContent()).toBe('$0.08');
    await page.getByTestId('cost-confirm').click();
    await page.getByTestId('stop-button').waitFor();

    // The graph changes while the first run is going; the second run takes the graph as it is now.
    await setSeed(page, 501);
    await ctrlEnter(page);
    await page.getByTestId('cost-dialog').waitFor();
    expect(await page.locator('#cost-title').textContent()).toBe('Queue 1 paid job?');
    expect(await page.getByTestId('cost-queued-note').isVisible()).toBe(true);
    expect(await page.getByTestId('cost-total').textContent()).toBe('$0.08');
    await studio.screenshot(page, 'issue9-tabs-queue-cost-dialog');
    await page.getByTestId('cost-confirm').click();
    await setSeed(page, 502);

    expect(await queueStatuses(page)).toEqual(['running', 'pending']);
    const costs = await page.locator('[data-testid^="queue-cost-"]').allTextContents();
    expect(costs).toEqual(['up to $0.08', 'up to $0.08']);
    expect(await page.getByTestId('run-button').textContent()).toBe('▶ Queue');
    await studio.screenshot(page, 'issue9-tabs-queue-two-runs');
    // Closing the tab now asks, and says what happens to the run going and the one waiting.
    await page.locator('.tab.active .tab-close').click();
    await page.getByTestId('close-tab-running').waitFor();
    expect(await page.getByTestId('close-tab-queued').textContent()).toMatch(/removed: nothing was paid/);
    await studio.screenshot(page, 'issue9-tabs-close-asks');
    await page.getByTestId('close-tab-cancel').click();

    await queueIdle(page);
    expect(await queueStatuses(page)).toEqual(['done', 'done']);
    const submits = (await studio.sim.submits()).slice(before);
    expect(submits).toHaveLength(2);
    expect(new Set(submits.map((s) => s.inputHash)).size).toBe(2);
    expect((await sentSeeds(page)).slice(-2)).toEqual([500, 501]);
    await studio.screenshot(page, 'issue9-tabs-queue-both-done');
    expect(await guard.problems()).toEqual([]);
  }, 90_000);

  it('runs Queue ×3 with increment as seeds s, s+1, s+2, each costed first, and leaves the seed at s+3', async () => {
    const { page, guard } = await editor();
    await openFile(page, kite('Variations', 1000));
    const before = (await studio.sim.submits()).length;
    await page.getByTestId('seed-mode').selectOption('increment');
    await page.getByTestId('queue-count').fill('3');
    await page.getByTestId('queue-n-button').click();
    await page.getByTestId('cost-dialog').waitFor();
    expect(await page.locator('#cost-title').textContent()).toBe('Queue 3 runs (3 paid jobs)?');
    expect(await page.locator('.cost-runs caption').allTextContents()).toEqual(['Run 1 of 3 — seed 1000', 'Run 2 of 3 — seed 1001', 'Run 3 of 3 — seed 1002']);
    expect(await page.getByTestId('cost-total').textContent()).toBe('$0.24');
    await studio.screenshot(page, 'issue9-tabs-queue-x3-cost');
    await page.getByTestId('cost-confirm').click();
    expect(await seedField(page).inputValue()).toBe('1003');
    await studio.screenshot(page, 'issue9-tabs-queue-x3-running');
    await queueIdle(page);
    expect(await queueStatuses(page)).toEqual(['done', 'done', 'done']);
    expect((await studio.sim.submits()).slice(before)).toHaveLength(3);
    expect((await sentSeeds(page)).slice(-3)).toEqual([1000, 1001, 1002]);
    expect(await guard.problems()).toEqual([]);
  }, 90_000);

  it('saves with Ctrl+S under a name, lists it in the sidebar, and opens it again with Ctrl+O', async () => {
    const { page, guard } = await editor();
    await openFile(page, kite('Beach kite', 7));
    await setSeed(page, 8);
    await page.locator('.tab.active .tab-dirty').waitFor();
    await page.keyboard.press('Control+s');
    await page.getByTestId('save-as-dialog').waitFor();
    await page.getByTestId('save-as-name').fill('Kite study');
    await page.getByTestId('save-as-confirm').click();
    await page.locator('.tab.active[data-title="Kite study"]').waitFor();
    expect(await page.locator('.tab.active .tab-dirty').count()).toBe(0);

    // Ctrl+S again saves in place, without asking.
    await setSeed(page, 9);
    await page.keyboard.press('Control+s');
    await page.locator('.tab.active .tab-dirty').waitFor({ state: 'detached' });
    expect(await page.getByTestId('save-as-dialog').count()).toBe(0);

    await page.getByTestId('sidebar-toggle').click();
    await page.locator('.saved-row[data-name="Kite study"]').waitFor();
    await studio.screenshot(page, 'issue9-tabs-sidebar');
    // Closing a saved, unchanged tab (middle-click) does not ask.
    await page.locator('.tab.active').click({ button: 'middle' });
    await page.locator('.tab.active[data-title="Untitled"]').waitFor();
    expect(await tabTitles(page)).toEqual(['Untitled']);

    await page.keyboard.press('Control+o');
    await page.getByTestId('open-workflow-dialog').waitFor();
    await page.getByTestId('open-workflow-search').fill('study');
    await studio.screenshot(page, 'issue9-tabs-open-dialog');
    await page.keyboard.press('Enter');
    await page.locator('.tab.active[data-title="Kite study"]').waitFor();
    expect(await seedField(page).inputValue()).toBe('9');
    expect(await tabTitles(page)).toEqual(['Kite study']);
    expect(await guard.problems()).toEqual([]);
  }, 60_000);

  it('restores the tabs after a reload: which, their order, the shown one and each one’s graph and changes', async () => {
    const { page, guard } = await editor();
    await openFile(page, kite('First', 1));
    await page.getByTestId('tab-new').click();
    await openFile(page, kite('Second', 2));
    await page.getByTestId('tab-new').click();
    await openFile(page, kite('Third', 3));
    await setSeed(page, 33);
    // Drag "Third" before "First", then show "Second".
    await page.locator('.tab[data-title="Third"]').dragTo(page.locator('.tab[data-title="First"]'));
    expect(await tabTitles(page)).toEqual(['Third', 'First', 'Second']);
    await showTab(page, 'Second');
    await page.waitForTimeout(900); // the autosave and session throttles
    await page.reload();
    await page.getByTestId('tab-bar').waitFor();
    await page.locator('.tab.active[data-title="Second"]').waitFor();
    expect(await tabTitles(page)).toEqual(['Third', 'First', 'Second']);
    expect(await seedField(page).inputValue()).toBe('2');
    await showTab(page, 'Third');
    expect(await seedField(page).inputValue()).toBe('33');
    expect(await page.locator('.tab[data-title="Third"] .tab-dirty').count()).toBe(1);
    await studio.screenshot(page, 'issue9-tabs-after-reload');
    expect(await guard.problems()).toEqual([]);
  }, 60_000);

  it('keeps the queue across a reload: the running run continues, the waiting one runs after it, two submits in all', async () => {
    const { page, guard } = await editor();
    await openFile(page, kite('Reload queue', 600));
    const before = (await studio.sim.submits()).length;
    await studio.sim.push({ kind: 'job', baseMs: 50_000 });
    await ctrlEnter(page);
    await page.getByTestId('cost-confirm').click();
    await setSeed(page, 601);
    await ctrlEnter(page);
    await page.getByTestId('cost-confirm').click();
    expect(await queueStatuses(page)).toEqual(['running', 'pending']);
    for (let i = 0; i < 50 && (await studio.sim.submits()).length === before; i++) await page.waitForTimeout(100);
    await page.waitForTimeout(900); // the session throttle
    await page.reload();
    await page.getByTestId('run-continued').waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid^="queue-item-"]').length === 2);
    await studio.screenshot(page, 'issue9-tabs-queue-after-reload');
    await queueIdle(page);
    expect(await queueStatuses(page)).toEqual(['done', 'done']);
    const submits = (await studio.sim.submits()).slice(before);
    expect(submits).toHaveLength(2);
    expect((await sentSeeds(page)).slice(-2)).toEqual([600, 601]);
    expect(await guard.problems()).toEqual([]);
  }, 90_000);
});
