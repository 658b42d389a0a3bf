import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIssue5Studio, referencePng, type Issue5Studio } from './issue5-harness';

let studio: Issue5Studio;
beforeAll(async () => {
  studio = await openIssue5Studio();
}, 120_000);
afterAll(async () => studio?.close());

describe('issue 5 in the browser: templates', () => {
  it('saves a workflow as a template, fills the Use-template form and runs the result', async () => {
    const context = await studio.newContext();
    const { page, guard } = await studio.openEditor(context);

    // A workflow on the canvas: the built-in storyboard, opened as is.
    await page.getByTestId('templates-button').click();
    await page.getByTestId('open-builtin:storyboard').click();
    await page.getByTestId('node-gen').waitFor();

    // Save as template: images, the story and the panel count are offered and ticked.
    await page.getByTestId('save-template-button').click();
    await page.getByTestId('template-name').fill('My board');
    expect(await page.getByTestId('template-pick-story').isChecked()).toBe(true);
    expect(await page.getByTestId('template-pick-maxImages').isChecked()).toBe(true);
    await page.getByTestId('save-template-confirm').click();
    await page.getByTestId('save-template-dialog').waitFor({ state: 'detached' });

    // Use it: the form is generated from the fields' schemas.
    await page.getByTestId('templates-button').click();
    const mine = page.locator('[data-testid^="gallery-user-"]');
    await mine.waitFor();
    await studio.screenshot(page, 'issue5-template-gallery');
    expect(await mine.textContent()).toContain('My board');
    await mine.locator('[data-testid^="use-user:"]').click();
    await page.getByTestId('use-template-form').waitFor();
    await studio.screenshot(page, 'issue5-use-template-form');
    for (const [i, field] of ['ref1', 'ref2', 'ref3'].entries()) {
      await page.getByTestId(`widget-tpl-${field}-value`).setInputFiles({ name: `${field}.png`, mimeType: 'image/png', buffer: referencePng(60 + 50 * i) });
      await page.getByTestId(`template-field-${field}`).getByText(`${field}.png`).waitFor();
    }
    await page.getByTestId('template-field-story').locator('textarea').fill('Generate 2 images: the same fox in snow, then in rain.');
    await page.getByTestId('template-field-maxImages').locator('input').fill('2');
    await page.getByTestId('use-template-run').click();
    // The canvas still holds the graph the template was saved from: it is replaced only when asked to.
    await page.getByTestId('use-template-replace').click();

    // The filled graph is on the canvas and runs after the cost check.
    await page.getByTestId('cost-dialog').waitFor();
    expect(await page.getByTestId('cost-total').textContent()).toBe('$0.08');
    await page.getByTestId('cost-confirm').click();
    await page.waitForFunction(() => /Finished/.test(document.querySelector('[data-testid="run-phase"]')?.textContent ?? ''), null, { timeout: 30_000 });
    expect(await page.getByTestId('run-phase').textContent()).toMatch(/^Finished in/);
    expect(await page.getByTestId('frames-gen').textContent()).toContain('2 frames');
    expect(await page.getByTestId('widget-story-text').inputValue()).toBe('Generate 2 images: the same fox in snow, then in rain.');
    expect((await studio.sim.counts()).submits).toBe(1);
    const [job] = await studio.sim.jobs();
    expect(job?.images).toBe(2);

    // The generation is in the history, with its frames.
    await page.getByTestId('history-button').click();
    const entry = page.locator('[data-testid^="history-entry-"]');
    await entry.waitFor();
    expect(await entry.count()).toBe(1);
    expect(await entry.textContent()).toContain('the same fox in snow');
    await studio.screenshot(page, 'issue5-history-one');

    // The result cache is persistent: after a reload the frames are back without running, and
    // running again submits nothing (no cost dialog: nothing would be paid).
    await page.reload();
    await page.getByTestId('frames-gen').waitFor();
    expect(await page.getByTestId('frames-gen').textContent()).toContain('2 frames');
    await page.getByTestId('run-button').click();
    await page.waitForFunction(() => /Finished/.test(document.querySelector('[data-testid="run-phase"]')?.textContent ?? ''), null, { timeout: 20_000 });
    expect(await page.getByTestId('node-status-gen').textContent()).toBe('cached');
    expect(await page.getByTestId('cost-dialog').count()).toBe(0);
    expect((await studio.sim.counts()).submits).toBe(1);
    expect(await guard.problems()).toEqual([]);
    await context.close();
  }, 90_000);
});
