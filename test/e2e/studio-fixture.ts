/**
 * The browser-test fixture: the built editor (built once, see ./studio-build.ts) served by the
 * real `npm start` server (`startStudio`) in simulator mode with fast jobs, on 127.0.0.1 and a
 * free port, driven by Debian's Chromium through playwright-core. Vitest-free: test files call
 * `openStudio()` in `beforeAll` and `close()` in `afterAll`; the UI benchmark uses it too.
 *
 * `watchPage` is the per-test guard: page errors, CSP refusals (console "Refused to …" and
 * `securitypolicyviolation` events), dialogs and the `window.__pwned` trap are collected, and
 * `problems()` lists them so every test can end with `expect(await guard.problems()).toEqual([])`.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { SimulatorOptions } from '../../app/server/simulator';
import { loadServerConfig } from '../../app/server/config';
import { startStudio, type Studio } from '../../app/server/start-studio';
import { ensureStudioBuild, ROOT } from './studio-build';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const SCREENS_DIR = join(ROOT, 'test-artifacts', 'screens');

/** Jobs of a few hundred ms and small frames: a run is visible, and quick. */
export const FAST_SIMULATOR: SimulatorOptions = { timeScale: 0.1, outputScale: 1 / 8, workers: 4 };

export interface StudioFixture {
  readonly url: string;
  readonly studio: Studio;
  readonly browser: Browser;
  /** A fresh profile (own IndexedDB); pages of one context share storage like tabs. */
  newContext(): Promise<BrowserContext>;
  /** A page of `context` with the editor loaded (toolbar shown) and a guard watching it. */
  openEditor(context: BrowserContext): Promise<{ page: Page; guard: PageGuard }>;
  /** Saves a screenshot to test-artifacts/screens/<name>.png (for people to look at). */
  screenshot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

export async function openStudio(options: { simulator?: SimulatorOptions } = {}): Promise<StudioFixture> {
  const distDir = await ensureStudioBuild();
  const studio = await startStudio(
    // What `npm start` reads from an environment without a token: simulator mode.
    loadServerConfig({ HOST: '127.0.0.1', PORT: '0' }),
    { distDir, log: () => undefined, simulator: { ...FAST_SIMULATOR, ...options.simulator } },
  );
  let browser: Browser;
  try {
    // A fresh temporary profile per launch (and an empty one per context): no state leaks between runs.
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
  } catch (e) {
    await studio.close();
    throw e;
  }
  await mkdir(SCREENS_DIR, { recursive: true });
  return {
    url: studio.url,
    studio,
    browser,
    newContext: () => browser.newContext({ viewport: { width: 1400, height: 860 }, acceptDownloads: true }),
    async openEditor(context) {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const guard = await watchPage(page);
      // Offline: the server would fetch RunComfy-hosted images (templates' references) from the internet.
      await page.route(/\/api\/assets\?url=https%3A%2F%2F[^&]*runcomfy\.(net|com)/i, (route) => route.abort());
      await page.goto(studio.url);
      await page.getByTestId('toolbar').waitFor();
      return { page, guard };
    },
    async screenshot(page, name) {
      await page.screenshot({ path: join(SCREENS_DIR, `${name}.png`) });
    },
    async close() {
      await browser.close().catch(() => undefined);
      await studio.close();
    },
  };
}

export interface PageGuard {
  /** Dialogs opened by the page (alert/confirm/prompt), dismissed at once. */
  readonly dialogs: string[];
  /** Everything that should not have happened, as lines; [] when all is well. */
  problems(): Promise<string[]>;
}

/**
 * Watches a page for uncaught errors, CSP refusals, dialogs and the `__pwned` trap. Network
 * requests that leave loopback are aborted and reported (the tests never need the internet).
 */
export async function watchPage(page: Page): Promise<PageGuard> {
  const found: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (e) => found.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    const text = m.text();
    if (/Refused to|Content Security Policy/i.test(text)) found.push(`CSP: ${text}`);
    else if (m.type() === 'error' && !/Failed to load resource/.test(text)) found.push(`console error: ${text}`);
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    found.push(`dialog: ${d.type()} ${d.message()}`);
    void d.dismiss().catch(() => undefined);
  });
  await page.route(/^(?!https?:\/\/(127\.0\.0\.1|localhost)[:/])[a-z]+:\/\//i, (route) => {
    found.push(`left loopback: ${route.request().url().slice(0, 120)}`);
    return route.abort();
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return {
    dialogs,
    async problems() {
      const inPage = await page
        .evaluate(() => {
          const w = window as unknown as { __csp?: string[]; __pwned?: unknown };
          return { csp: w.__csp ?? [], pwned: w.__pwned };
        })
        .catch(() => ({ csp: [] as string[], pwned: undefined }));
      return [
        ...found,
        ...inPage.csp.map((v) => `CSP violation: ${v}`),
        ...(inPage.pwned === undefined ? [] : [`window.__pwned was set to ${JSON.stringify(inPage.pwned)}`]),
      ];
    },
  };
}

/** A small solid PNG that passes Seedream's reference checks (sides over 14 px). */
export function solidPng(rgb: [number, number, number], width = 96, height = 64): Buffer {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  return Buffer.from(encode({ width, height, data, channels: 3 }));
}

/**
 * Drops files on the canvas at a point (default its centre) as a user would: real `dragenter`,
 * `dragover` and `drop` events carrying a DataTransfer of File objects, built in the page.
 */
export async function dropFiles(page: Page, files: { name: string; type: string; bytes: Buffer }[], at?: { x: number; y: number }): Promise<void> {
  const canvas = page.getByTestId('canvas');
  const box = (await canvas.boundingBox())!;
  const point = at ?? { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const dataTransfer = await page.evaluateHandle(
    (items) => {
      const dt = new DataTransfer();
      for (const item of items) {
        const bytes = Uint8Array.from(atob(item.base64), (c) => c.charCodeAt(0));
        dt.items.add(new File([bytes], item.name, { type: item.type }));
      }
      return dt;
    },
    files.map((f) => ({ name: f.name, type: f.type, base64: f.bytes.toString('base64') })),
  );
  const init = { dataTransfer, clientX: point.x, clientY: point.y };
  const pane = page.locator('.react-flow__pane');
  await pane.dispatchEvent('dragenter', init);
  await pane.dispatchEvent('dragover', init);
  await pane.dispatchEvent('drop', init);
  await dataTransfer.dispose();
}

/** Drags from one handle to another with real mouse moves (React Flow's connection gesture). */
export async function connect(page: Page, fromTestId: string, toTestId: string): Promise<void> {
  const from = (await page.getByTestId(fromTestId).boundingBox())!;
  const to = (await page.getByTestId(toTestId).boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  const steps = 8;
  for (let i = 1; i <= steps; i++) {
    await page.mouse.move(from.x + ((to.x - from.x) * i) / steps + from.width / 2, from.y + ((to.y - from.y) * i) / steps + from.height / 2);
  }
  await page.mouse.up();
}

/** Drags a node by its header by (dx, dy) screen pixels. */
export async function dragNode(page: Page, nodeId: string, dx: number, dy: number, steps = 10): Promise<void> {
  const header = page.getByTestId(`node-${nodeId}`).locator('.node-header');
  const box = (await header.boundingBox())!;
  const x = box.x + 30;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= steps; i++) await page.mouse.move(x + (dx * i) / steps, y + (dy * i) / steps);
  await page.mouse.up();
}

/** The ids of the nodes drawn on the canvas, sorted. */
export async function canvasNodeIds(page: Page): Promise<string[]> {
  return page.locator('.react-flow__node').evaluateAll((els) => els.map((el) => el.getAttribute('data-id') ?? '').sort());
}

/**
 * The workflow the page's autosave last wrote to IndexedDB for the shown tab (`workflows/tab:<id>`,
 * the id from the newest window session), or the single workflow of old (`workflows/current`).
 */
export function savedWorkflow(page: Page): Promise<{ nodes: { id: string }[]; edges: { id: string }[] } | undefined> {
  return page.evaluate(
    () =>
      new Promise((resolveSaved, reject) => {
        const open = indexedDB.open('sequence-studio');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['sessions', 'workflows']);
          const sessions = tx.objectStore('sessions').getAll();
          sessions.onerror = () => reject(sessions.error);
          sessions.onsuccess = () => {
            const all = sessions.result as { activeId?: string; updatedAt?: number }[];
            const newest = all.sort((a, b) => (a.updatedAt ?? 0) - (b.updatedAt ?? 0)).at(-1);
            const req = tx.objectStore('workflows').get(newest?.activeId ? `tab:${newest.activeId}` : 'current');
            req.onsuccess = () => {
              db.close();
              resolveSaved(req.result);
            };
            req.onerror = () => reject(req.error);
          };
        };
      }),
  );
}

/**
 * Clicks Run, confirms the cost dialog (unless `confirm` is false) and waits until that run ends:
 * its own end, not the earlier run's "Finished" that the panel still shows when Run is clicked.
 * Resolves with the phase it ended in.
 */
export async function runToEnd(page: Page, o: { confirm?: boolean; timeout?: number } = {}): Promise<string> {
  const before = (await page.getByTestId('run-panel').getAttribute('data-run-id')) ?? '';
  await page.getByTestId('run-button').click();
  if (o.confirm !== false) await page.getByTestId('cost-confirm').click();
  const ended = await page.waitForFunction(
    (earlier) => {
      const panel = document.querySelector('[data-testid="run-panel"]');
      const id = panel?.getAttribute('data-run-id') ?? '';
      const phase = panel?.getAttribute('data-phase') ?? '';
      return id !== '' && id !== earlier && /^(succeeded|failed|aborted)$/.test(phase) ? phase : false;
    },
    before,
    { timeout: o.timeout ?? 30_000 },
  );
  return (await ended.jsonValue()) as string;
}
