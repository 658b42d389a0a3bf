import { readFile } from 'node:fs/promises';
import type { Download } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropFiles, openIssue5Studio, referencePng, until, type Issue5Studio } from './issue5-harness';

let studio: Issue5Studio;
beforeAll(async () => {
  studio = await openIssue5Studio();
}, 120_000);
afterAll(async () => studio?.close());

const workflow = {
  schemaVersion: 2,
  meta: { name: 'Drop me' },
  nodes: [
    { id: 'ref', kind: 'image.load', kindVersion: 1, position: { x: 0, y: 0 }, params: {} },
    {
      id: 'gen',
      kind: 'seedream.edit-sequential',
      kindVersion: 1,
      position: { x: 400, y: 0 },
      params: { prompt: 'Generate 2 images of a red kite', maxImages: 2, seed: 4242 },
    },
    { id: 'save', kind: 'image.save', kindVersion: 1, position: { x: 800, y: 0 }, params: { prefix: 'kite' } },
  ],
  edges: [
    { id: 'e1', source: { node: 'ref', port: 'image' }, target: { node: 'gen', port: 'images' } },
    { id: 'e2', source: { node: 'gen', port: 'images' }, target: { node: 'save', port: 'images' } },
  ],
};

describe('issue 5 in the browser: PNGs carry their workflow', () => {
  it('restores the graph when a PNG saved by the Save node is dropped on the canvas', async () => {
    const context = await studio.newContext();
    const { page, guard } = await studio.openEditor(context);
    const downloads: Download[] = [];
    page.on('download', (d) => downloads.push(d));

    await page.getByTestId('open-input').setInputFiles({ name: 'kite.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(workflow)) });
    await page.getByTestId('node-gen').waitFor();
    await page.getByTestId('widget-ref-image').setInputFiles({ name: 'kite-ref.png', mimeType: 'image/png', buffer: referencePng(200) });
    await page.getByTestId('node-ref').getByText('kite-ref.png').waitFor();
    await page.getByTestId('run-button').click();
    await page.getByTestId('cost-confirm').click();
    await until(() => downloads.length === 2, 30_000, 'two saved PNGs');
    expect(downloads.map((d) => d.suggestedFilename())).toEqual(['kite-01.png', 'kite-02.png']);
    const saved = await readFile((await downloads[0]!.path())!);
    const submits = (await studio.sim.counts()).submits;

    // Start over, then drop the saved frame: the graph that made it comes back.
    await page.getByTestId('new-button').click();
    await page.getByTestId('node-gen').waitFor({ state: 'detached' });
    await dropFiles(page, [{ name: 'kite-01.png', type: 'image/png', bytes: saved }]);
    await page.getByTestId('node-gen').waitFor();
    expect(await page.getByTestId('notice').textContent()).toMatch(/Opened “kite-01\.png”/);
    expect(await page.locator('.workflow-name').textContent()).toBe('Drop me');
    expect(await page.getByTestId('widget-gen-prompt').inputValue()).toBe('Generate 2 images of a red kite');
    expect(await page.getByTestId('widget-gen-seed').inputValue()).toBe('4242');
    expect(await page.getByTestId('widget-save-prefix').inputValue()).toBe('kite');
    expect(await page.getByTestId('node-ref').textContent()).toContain('kite-ref.png');
    expect(await page.locator('.react-flow__edge').count()).toBe(2);

    // It is the very graph that was run: running it again is free (all cached), nothing is submitted.
    await page.getByTestId('run-button').click();
    // (The panel still shows the first run until this one ends: wait for this run's counts.)
    await page.waitForFunction(() => /1 done · 2 cached · 0 failed/.test(document.querySelector('.run-counts')?.textContent ?? ''), null, { timeout: 20_000 });
    expect(await page.getByTestId('node-status-gen').textContent()).toBe('cached');
    expect((await studio.sim.counts()).submits).toBe(submits);

    // A PNG without a workflow is just an image: it becomes a Load Image node.
    await page.getByTestId('new-button').click();
    await dropFiles(page, [{ name: 'plain.png', type: 'image/png', bytes: referencePng(30) }]);
    await page.locator('[data-kind="image.load"]').waitFor();
    expect(await page.locator('.react-flow__node').count()).toBe(1);
    expect(await guard.problems()).toEqual([]);
    await context.close();
  }, 90_000);
});
