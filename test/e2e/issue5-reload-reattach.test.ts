import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerJobs, ledgerRequestIds, openIssue5Studio, referencePng, until, type Issue5Studio } from './issue5-harness';

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
  await until(async () => (await ledgerRequestIds(page)).length === jobs, 20_000, `${jobs} request ids in the ledger`);
  return ledgerRequestIds(page);
}

describe('issue 5 in the browser: runs that survive a reload', () => {
  it('continues the run after a reload: the same 3 request ids complete, 3 submits in total', async () => {
    const context = await studio.newContext();
    const { page, guard } = await studio.openEditor(context);
    const submitsBefore = (await studio.sim.counts()).submits;
    const ids = await startPaidRun(page, takes(3, 'reload'), 3);
    expect((await studio.sim.counts()).submits - submitsBefore).toBe(3);
    const stillRunning = (await studio.sim.jobs()).filter((j) => ids.includes(j.request_id) && j.phase !== 'succeeded');
    expect(stillRunning.length).toBeGreaterThan(0);

    await page.reload();
    await page.getByTestId('node-gen3').waitFor();
    // The run goes on by itself: no Run press, no cost dialog; its jobs are re-attached, never submitted again.
    await page.getByTestId('run-continued').waitFor({ timeout: 10_000 });
    await studio.screenshot(page, 'issue5-reattached-running');
    expect(await page.getByTestId('cost-dialog').count()).toBe(0);
    for (const id of ['gen1', 'gen2', 'gen3']) await page.getByTestId(`frames-${id}`).waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => /Finished/.test(document.querySelector('[data-testid="run-phase"]')?.textContent ?? ''), null, { timeout: 20_000 });
    for (const id of ['gen1', 'gen2', 'gen3']) {
      expect(await page.getByTestId(`node-status-${id}`).textContent()).toMatch(/^done/);
      expect(await page.getByTestId(`frames-${id}`).textContent()).toContain('2 frames');
    }
    await studio.screenshot(page, 'issue5-reattached-done');
    const jobs = await ledgerJobs(page);
    expect(jobs.map((j) => j.state)).toEqual(['stored', 'stored', 'stored']);
    expect(await ledgerRequestIds(page)).toEqual(ids);
    expect((await studio.sim.counts()).submits - submitsBefore).toBe(3);

    // Running again submits nothing: every Seedream result is in the persistent cache.
    await page.getByTestId('run-button').click();
    await page.waitForFunction(
      () =>
        ['gen1', 'gen2', 'gen3', 'view3'].every((n) => /^(cached|done)/.test(document.querySelector(`[data-testid="node-status-${n}"]`)?.textContent ?? '')) &&
        document.querySelector('[data-testid="node-status-gen1"]')?.textContent === 'cached',
      null,
      { timeout: 20_000 },
    );
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

  it('shows a job the API forgot while the page was away as lost, with Pay again, and never resubmits it', async () => {
    const context = await studio.newContext();
    const { page, guard } = await studio.openEditor(context);
    const submitsBefore = (await studio.sim.counts()).submits;
    const [id] = await startPaidRun(page, takes(1, 'lost'), 1);
    await studio.sim.expire(id!);

    await page.reload();
    const marker = page.getByTestId('node-job-gen1');
    await marker.waitFor({ timeout: 20_000 });
    await studio.screenshot(page, 'issue5-lost-marker');
    expect(await marker.textContent()).toMatch(new RegExp(`no longer knows this request.*may have been billed.*${id}.*never paid for again on its own`));
    expect(await page.getByTestId('pay-again-gen1').textContent()).toBe(`Pay again (instead of request ${id})`);
    expect(await page.getByTestId('node-status-gen1').textContent()).toBe('lost — may be billed');
    expect((await studio.sim.counts()).submits - submitsBefore).toBe(1);
    expect((await ledgerJobs(page)).map((j) => [j.requestId, j.state])).toEqual([[id, 'lost']]);

    await page.getByTestId('job-dismiss-gen1').click();
    await marker.waitFor({ state: 'detached' });
    await until(async () => (await ledgerJobs(page))[0]?.dismissed === true, 5_000, 'the job to be marked dismissed (kept on record)');
    expect((await studio.sim.counts()).submits - submitsBefore).toBe(1);
    expect(await guard.problems()).toEqual([]);
    await context.close();
  }, 90_000);
});
