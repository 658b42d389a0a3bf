import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journalIds, openIssue5Studio, referencePng, until, type Issue5Studio } from './issue5-harness';

let studio: Issue5Studio;
beforeAll(async () => {
  // Slow enough jobs (about 4 s) that a reload lands while all three are in flight.
  studio = await openIssue5Studio({ timeScale: 1, workers: 3 });
}, 120_000);
afterAll(async () => studio?.close());

/** One reference feeding `count` independent Seedream nodes, each previewed. */
function takes(count: number, tag: string) {
  const gens = Array.from({ length: count }, (_, i) => i + 1);
  return {
    schemaVersion: 2,
    meta: { name: `Takes ${tag}` },
    nodes: [
      { id: 'ref', kind: 'image.load', kindVersion: 1, position: { x: 0, y: 200 }, params: {} },
      ...gens.flatMap((i) => [
        {
          id: `gen${i}`,
          kind: 'seedream.edit-sequential',
          kindVersion: 1,
          position: { x: 400, y: (i - 1) * 420 },
          params: { prompt: `Generate 2 images, ${tag} take ${i}`, maxImages: 2 },
        },
        { id: `view${i}`, kind: 'image.preview', kindVersion: 1, position: { x: 800, y: (i - 1) * 420 }, params: {} },
      ]),
    ],
    edges: gens.flatMap((i) => [
      { id: `a${i}`, source: { node: 'ref', port: 'image' }, target: { node: `gen${i}`, port: 'images' } },
      { id: `b${i}`, source: { node: `gen${i}`, port: 'images' }, target: { node: `view${i}`, port: 'images' } },
    ]),
  };
}

async function startPaidRun(page: Page, workflow: unknown, jobs: number): Promise<string[]> {
  await page.getByTestId('open-input').setInputFiles({ name: 'takes.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(workflow)) });
  await page.getByTestId('node-gen1').waitFor();
  await page.getByTestId('widget-ref-image').setInputFiles({ name: 'ref.png', mimeType: 'image/png', buffer: referencePng(90) });
  await page.getByTestId('node-ref').getByText('ref.png').waitFor();
  await page.getByTestId('run-button').click();
  await page.getByTestId('cost-confirm').click();
  await until(async () => (await journalIds(page)).length === jobs, 20_000, `${jobs} journaled request ids`);
  return journalIds(page);
}

describe('issue 5 in the browser: runs that survive a reload', () => {
  it('re-attaches 3 jobs in flight after a reload: the same 3 request ids complete, 3 submits in total', async () => {
    const context = await studio.newContext();
    const { page, guard } = await studio.openEditor(context);
    const submitsBefore = (await studio.sim.counts()).submits;
    const ids = await startPaidRun(page, takes(3, 'reload'), 3);
    expect((await studio.sim.counts()).submits - submitsBefore).toBe(3);
    const stillRunning = (await studio.sim.jobs()).filter((j) => ids.includes(j.request_id) && j.phase !== 'succeeded');
    expect(stillRunning.length).toBeGreaterThan(0);

    await page.reload();
    await page.getByTestId('node-gen3').waitFor();
    await studio.screenshot(page, 'issue5-reattached-running');
    // Each node shows that its job was re-attached (not submitted again) …
    for (const id of ['gen1', 'gen2', 'gen3']) {
      await page.waitForFunction((n) => /re-attached/.test(document.querySelector(`[data-testid="node-status-${n}"]`)?.textContent ?? ''), id, {
        timeout: 10_000,
      });
    }
    // … and its frames when the job completes.
    for (const id of ['gen1', 'gen2', 'gen3']) await page.getByTestId(`frames-${id}`).waitFor({ timeout: 30_000 });
    for (const id of ['gen1', 'gen2', 'gen3']) {
      expect(await page.getByTestId(`node-status-${id}`).textContent()).toBe('re-attached — done');
      expect(await page.getByTestId(`frames-${id}`).textContent()).toContain('2 frames');
    }
    await studio.screenshot(page, 'issue5-reattached-done');
    await until(async () => (await journalIds(page)).length === 0, 10_000, 'an empty journal');
    const resumed = await page
      .locator('[data-testid^="resumed-"][data-status="done"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')!.slice('resumed-'.length)).sort());
    expect(resumed).toEqual(ids);
    expect((await studio.sim.counts()).submits - submitsBefore).toBe(3);

    // Running again submits nothing: every Seedream result is in the persistent cache.
    await page.getByTestId('run-button').click();
    await page.waitForFunction(() => /Finished/.test(document.querySelector('[data-testid="run-phase"]')?.textContent ?? ''), null, { timeout: 20_000 });
    for (const id of ['gen1', 'gen2', 'gen3']) expect(await page.getByTestId(`node-status-${id}`).textContent()).toBe('cached');
    expect(await page.locator('.run-counts').textContent()).toMatch(/0 failed/);
    expect((await studio.sim.counts()).submits - submitsBefore).toBe(3);

    // The history holds the three paid generations, recorded as re-attached.
    await page.getByTestId('history-button').click();
    for (const id of ids) expect(await page.getByTestId(`history-entry-${id}`).textContent()).toContain('re-attached after reload');
    await studio.screenshot(page, 'issue5-history');
    expect(await guard.problems()).toEqual([]);
    await context.close();
  }, 120_000);

  it('marks a job the API forgot while the page was away as lost, and never resubmits it', async () => {
    const context = await studio.newContext();
    const { page, guard } = await studio.openEditor(context);
    const submitsBefore = (await studio.sim.counts()).submits;
    const [id] = await startPaidRun(page, takes(1, 'lost'), 1);
    await studio.sim.expire(id!);

    await page.reload();
    const marker = page.getByTestId('node-lost-gen1');
    await marker.waitFor({ timeout: 20_000 });
    await studio.screenshot(page, 'issue5-lost-marker');
    expect(await marker.textContent()).toMatch(new RegExp(`${id}.*no longer known.*lost.*Nothing was resubmitted`));
    expect((await studio.sim.counts()).submits - submitsBefore).toBe(1);
    expect(await journalIds(page)).toEqual([id]);

    await page.getByTestId('lost-dismiss-gen1').click();
    await marker.waitFor({ state: 'detached' });
    await until(async () => (await journalIds(page)).length === 0, 5_000, 'the dismissed entry to go');
    expect((await studio.sim.counts()).submits - submitsBefore).toBe(1);
    expect(await guard.problems()).toEqual([]);
    await context.close();
  }, 90_000);
});
