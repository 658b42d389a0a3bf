import { readFile } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dropFiles, openStudio, type PageGuard, type StudioFixture } from './studio-fixture';

/**
 * Workflow files are untrusted: someone else's file must not run code in the editor. Strings
 * that look like markup or `javascript:` URLs are shown as plain text, bad image URLs are
 * refused, nothing reaches the network but our own server, and the CSP never has to step in.
 */
const XSS_IMG = `<img src=x onerror="window.__pwned='img'">`;
const SCRIPT = `<script>window.__pwned='script'</script>`;
const JS_URL = `javascript:window.__pwned='js-url'`;
const EVIL_HTTPS = `https://evil.example/x.png?"><img src=x onerror=window.__pwned='attr'>`;
const SVG_DATA = `data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned='svg'"/>`;

const node = (id: string, kind: string, y: number, params: Record<string, unknown>, title?: string) => ({
  id,
  kind,
  kindVersion: 1,
  position: { x: kind.startsWith('image.load') || kind === 'text.prompt' ? 0 : 420, y },
  params,
  ...(title ? { title } : {}),
});

const hostile = {
  schemaVersion: 2,
  meta: { name: SCRIPT + XSS_IMG, description: JS_URL },
  nodes: [
    node('p', 'text.prompt', 0, { text: XSS_IMG + SCRIPT }, JS_URL),
    node('img1', 'image.load', 250, { image: { kind: 'url', url: JS_URL } }, XSS_IMG),
    node('img3', 'image.load', 550, { image: { kind: 'url', url: EVIL_HTTPS } }),
    node(
      'img4',
      'image.load',
      850,
      { image: { kind: 'asset', assetId: 'a'.repeat(64), mime: 'image/png', name: XSS_IMG, sourceUrl: JS_URL } },
      'javascript:alert(1)',
    ),
    node('gen', 'seedream.edit-sequential', 300, { prompt: XSS_IMG, maxImages: 2 }, SCRIPT),
    node('save', 'image.save', 300, { prefix: `../../${SCRIPT}` }, XSS_IMG),
  ].map((n) => (n.id === 'save' ? { ...n, position: { x: 820, y: 300 } } : n)),
  edges: [
    { id: 'e1', source: { node: 'img1', port: 'image' }, target: { node: 'gen', port: 'images' }, order: 0 },
    { id: 'e2', source: { node: 'img3', port: 'image' }, target: { node: 'gen', port: 'images' }, order: 1 },
    { id: 'e3', source: { node: 'p', port: 'text' }, target: { node: 'gen', port: 'prompt' } },
    { id: 'e4', source: { node: 'gen', port: 'images' }, target: { node: 'save', port: 'images' } },
  ],
};

let studio: StudioFixture;
let context: BrowserContext;
let page: Page;
let guard: PageGuard;
const posts: string[] = [];

beforeAll(async () => {
  studio = await openStudio();
  context = await studio.newContext();
  ({ page, guard } = await studio.openEditor(context));
  page.on('request', (r) => {
    if (r.method() !== 'GET') posts.push(`${r.method()} ${new URL(r.url()).pathname}`);
  });
}, 60_000);
afterAll(async () => {
  await context?.close();
  await studio?.close();
});
// Every step: no page error, CSP refusal, dialog or tripped trap.
afterEach(async () => {
  expect(await guard.problems()).toEqual([]);
});

async function openFile(name: string, data: unknown): Promise<string> {
  await page.getByTestId('open-input').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(data)) });
  const notice = page.getByTestId('notice').filter({ hasText: name });
  await notice.waitFor();
  return (await notice.locator('span').textContent()) ?? '';
}

/** What in the editor's DOM could run code or load something: should always be empty. */
function activeContent(): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    for (const el of document.querySelectorAll('#root *')) {
      const tag = el.tagName.toLowerCase();
      if (['script', 'iframe', 'object', 'embed', 'frame'].includes(tag)) found.push(`<${tag}>`);
      for (const attr of el.getAttributeNames()) {
        const value = el.getAttribute(attr) ?? '';
        if (/^on/i.test(attr)) found.push(`${tag}[${attr}]`);
        if (['src', 'href', 'action', 'formaction', 'xlink:href'].includes(attr) && /^\s*(javascript|data:text|vbscript)/i.test(value))
          found.push(`${tag}[${attr}=${value}]`);
      }
      if (tag === 'img' && !/^(blob:|data:image\/(png|jpeg|webp);)/.test((el as HTMLImageElement).src)) found.push(`img[src=${(el as HTMLImageElement).src}]`);
    }
    return found;
  });
}

describe('a hostile workflow file', () => {
  it('opens with every string shown as plain text and no markup, handler or script from the file', async () => {
    expect(await openFile('hostile.json', hostile)).toBe('Opened “hostile.json”.');
    await page.getByTestId('node-save').waitFor();
    expect(await page.getByTestId('node-p').locator('.node-title').textContent()).toBe(JS_URL);
    expect(await page.getByTestId('node-img1').locator('.node-title').textContent()).toBe(XSS_IMG);
    expect(await page.getByTestId('node-gen').locator('.node-title').textContent()).toBe(SCRIPT);
    expect(await page.getByTestId('node-img4').locator('.node-title').textContent()).toBe('javascript:alert(1)');
    expect(await page.locator('.workflow-name').textContent()).toBe(SCRIPT + XSS_IMG);
    expect(await page.getByTestId('widget-p-text').inputValue()).toBe(XSS_IMG + SCRIPT);
    expect(await page.getByTestId('node-img4').locator('.image-name').textContent()).toBe(XSS_IMG);
    expect(await activeContent()).toEqual([]);
    await studio.screenshot(page, '10-hostile-open');
  });

  it('refuses the javascript: image URL on its node and never fetches the foreign https one from the page', async () => {
    expect(await page.getByTestId('node-img1').textContent()).toContain('image URLs must be https://');
    // Shown as nothing to load, not put back into the URL field.
    expect(await page.getByTestId('image-url-img1').inputValue()).toBe('');
    // The foreign host goes through our server's asset route only, which refuses it.
    await page.getByTestId('image-preview-img3').and(page.locator('.thumb-failed')).waitFor();
    // An asset id that is not stored: a placeholder, no request anywhere.
    await page.getByTestId('image-preview-img4').and(page.locator('.thumb-failed')).waitFor();
    expect(await page.getByTestId('node-save').textContent()).toContain('no / or \\');
  });

  it('does not run (nothing is submitted) and says why', async () => {
    await page.getByTestId('run-button').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="run-panel"]')?.getAttribute('data-phase') === 'invalid');
    expect(await page.getByTestId('run-phase').textContent()).toBe('Not run: fix the errors first');
    expect(await page.getByTestId('cost-dialog').count()).toBe(0);
    expect(posts.filter((p) => p.includes('/api/v1'))).toEqual([]);
    expect(await activeContent()).toEqual([]);
    await studio.screenshot(page, '11-hostile-run');
  });

  it('exports the same strings back, unchanged', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-button').click()]);
    const exported = JSON.parse(await readFile((await download.path())!, 'utf8')) as typeof hostile;
    expect(exported.meta.name).toBe(SCRIPT + XSS_IMG);
    expect(exported.nodes.find((n) => n.id === 'p')?.params).toEqual({ text: XSS_IMG + SCRIPT });
    // The export's file name keeps only safe characters.
    expect(download.suggestedFilename()).toMatch(/^[A-Za-z0-9 _.-]+\.json$/);
  });

  it('refuses a file with inlined data: images, leaving the canvas as it was', async () => {
    const before = await page.locator('.react-flow__node').count();
    const inlined = { ...hostile, nodes: [...hostile.nodes, node('img2', 'image.load', 1150, { image: { kind: 'url', url: SVG_DATA } })] };
    expect(await openFile('inlined.json', inlined)).toMatch(/could not be opened: .*data: URI.*never inlined/);
    expect(await page.locator('.react-flow__node').count()).toBe(before);

    // Dropped rather than opened: the same refusal.
    await dropFiles(page, [{ name: 'inlined-drop.json', type: 'application/json', bytes: Buffer.from(JSON.stringify(inlined)) }]);
    await page.getByTestId('notice').filter({ hasText: 'inlined-drop.json' }).waitFor();
    expect(await page.locator('.react-flow__node').count()).toBe(before);
  });

  it('refuses a javascript: URL typed into a Load Image node', async () => {
    await page.getByTestId('new-button').click();
    await page.getByTestId('palette-item-image.load').click();
    const loadNode = page.locator('[data-kind="image.load"]');
    await loadNode.waitFor();
    const id = (await loadNode.getAttribute('data-testid'))!.slice('node-'.length);
    const url = page.getByTestId(`image-url-${id}`);
    await url.fill(JS_URL);
    await url.press('Enter');
    await loadNode.getByText('Paste an https:// image URL').waitFor();
    expect(await loadNode.locator('img').count()).toBe(0);
    expect(await activeContent()).toEqual([]);
  });

  it('ran no script, opened no dialog and broke no CSP rule', async () => {
    await page.waitForTimeout(100);
    expect(guard.dialogs).toEqual([]);
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await guard.problems()).toEqual([]);
  });
});
