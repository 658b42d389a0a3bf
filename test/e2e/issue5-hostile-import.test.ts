import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropFiles, openIssue5Studio, type Issue5Studio } from './issue5-harness';

let studio: Issue5Studio;
beforeAll(async () => {
  studio = await openIssue5Studio();
}, 120_000);
afterAll(async () => studio?.close());

const XSS = '<img src=x onerror="window.__pwned=1">';
const hostile = {
  schemaVersion: 2,
  meta: { name: XSS, description: '<script>window.__pwned=2</script>', __proto__: { polluted: true } },
  nodes: [
    { id: 'a', kind: 'text.prompt', kindVersion: 1, position: { x: 0, y: 0 }, title: XSS, params: { text: 'javascript:window.__pwned=3' } },
    {
      id: 'b',
      kind: 'evil.exec',
      kindVersion: 1,
      position: { x: 420, y: 0 },
      title: '<script>window.__pwned=4</script>',
      params: { code: 'window.__pwned=5' },
    },
  ],
  edges: [{ id: 'e', source: { node: 'a', port: 'text' }, target: { node: 'b', port: 'in' } }],
};

async function openFile(page: Page, name: string, body: string | Buffer, type = 'application/json'): Promise<string> {
  await page.evaluate(() => document.querySelector('[data-testid="notice"] button')?.dispatchEvent(new MouseEvent('click', { bubbles: true })));
  await page.getByTestId('open-input').setInputFiles({ name, mimeType: type, buffer: Buffer.isBuffer(body) ? body : Buffer.from(body) });
  await page.getByTestId('notice').waitFor();
  return (await page.getByTestId('notice').textContent()) ?? '';
}

describe('issue 5 in the browser: hostile and broken files', () => {
  it('opens a hostile workflow as inert text with the unknown node as a placeholder, and runs no script', async () => {
    const context = await studio.newContext();
    const { page, guard } = await studio.openEditor(context);

    const notice = await openFile(page, 'hostile.json', JSON.stringify(hostile));
    expect(notice).toMatch(/Opened “hostile\.json”.*"evil\.exec".*placeholder/);
    const placeholder = page.getByTestId('node-b');
    expect(await placeholder.textContent()).toContain('Unknown node kind “evil.exec”: kept as a placeholder, it cannot run.');
    expect(await placeholder.locator('.node-title').textContent()).toBe('<script>window.__pwned=4</script>');
    expect(await page.getByTestId('node-a').locator('.node-title').textContent()).toBe(XSS);
    expect(await page.locator('.workflow-name').textContent()).toBe(XSS);
    expect(await page.locator('.react-flow img[src="x"], .react-flow script').count()).toBe(0);

    // Dropped instead of opened: the same, and still nothing runs.
    await dropFiles(page, [{ name: 'hostile-again.json', type: 'application/json', bytes: Buffer.from(JSON.stringify(hostile)) }]);
    await page.waitForFunction(() => /hostile-again/.test(document.querySelector('[data-testid="notice"]')?.textContent ?? ''));
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await page.evaluate(() => (({}) as { polluted?: unknown }).polluted)).toBeUndefined();
    expect(guard.dialogs).toEqual([]);
    expect(await guard.problems()).toEqual([]);
    await studio.screenshot(page, 'issue5-hostile-import');
    await context.close();
  }, 60_000);

  it('refuses broken files with a clear message and keeps the canvas as it was', async () => {
    const context = await studio.newContext();
    const { page, guard } = await studio.openEditor(context);
    await page.getByTestId('templates-button').click();
    await page.getByTestId('open-builtin:two-step-chain').click();
    await page.getByTestId('node-restyle').waitFor();
    const nodesBefore = await page.locator('.react-flow__node').count();

    expect(await openFile(page, 'half.json', '{"schemaVersion": 2, "nodes": [')).toMatch(/“half\.json” could not be opened: This file is not valid JSON/);
    expect(await openFile(page, 'shape.json', JSON.stringify({ schemaVersion: 2, nodes: {}, edges: [] }))).toMatch(/could not be opened: nodes: .*array/i);
    expect(await openFile(page, 'huge.json', Buffer.alloc(6 * 1024 * 1024, 0x20))).toMatch(
      /“huge\.json” could not be opened: This file is 6\.0 MiB; workflow files are at most 5\.0 MiB/,
    );
    expect(await openFile(page, 'future.json', JSON.stringify({ schemaVersion: 42, nodes: [], edges: [] }))).toMatch(/could not be opened: .*newer/);
    expect(await openFile(page, 'fake.png', Buffer.from('\x89PNG\r\n\x1a\n<script>alert(1)</script>', 'latin1'), 'image/png')).toMatch(
      /could not be opened: The PNG file is/,
    );
    expect(await page.locator('.react-flow__node').count()).toBe(nodesBefore);

    // A graph whose links loop opens, with a warning naming the loop (it cannot run until fixed).
    const loop = {
      schemaVersion: 2,
      nodes: [
        { id: 'm1', kind: 'image.merge', kindVersion: 1, position: { x: 0, y: 0 }, params: {} },
        { id: 'm2', kind: 'image.merge', kindVersion: 1, position: { x: 400, y: 0 }, params: {} },
      ],
      edges: [
        { id: 'l1', source: { node: 'm1', port: 'images' }, target: { node: 'm2', port: 'images' } },
        { id: 'l2', source: { node: 'm2', port: 'images' }, target: { node: 'm1', port: 'images' } },
      ],
    };
    expect(await openFile(page, 'loop.json', JSON.stringify(loop))).toMatch(/loop \(m1 → m2 → m1\)/);
    await page.getByTestId('node-m2').waitFor();
    expect(await guard.problems()).toEqual([]);
    await context.close();
  }, 60_000);
});
