import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerJobs, openIssue5Studio, referencePng, until, type Issue5Studio } from './issue5-harness';

let studio: Issue5Studio;
beforeAll(async () => {
  // Real-time jobs of a few seconds: a stop or a reload lands while they are queued or running.
  studio = await openIssue5Studio({ timeScale: 0.5, workers: 2 });
}, 120_000);
afterAll(async () => studio?.close());

const seedream = (id: string, x: number, prompt: string) => ({
  id,
  kind: 'seedream.edit-sequential',
  kindVersion: 1,
  position: { x, y: 0 },
  params: { prompt, maxImages: 2 },
});

/** Load Image → Seedream → Preview, or with `chain` Load Image → Seedream → Seedream → Preview. */
function workflow(name: string, chain: boolean) {
  const gens = chain
    ? [seedream('gen1', 380, `Generate 2 images, ${name} one`), seedream('gen2', 760, `Generate 2 images, ${name} two`)]
    : [seedream('gen1', 380, `Generate 2 images, ${name}`)];
  const last = gens.at(-1)!.id;
  return {
    schemaVersion: 2,
    meta: { name },
    nodes: [
      { id: 'ref', kind: 'image.load', kindVersion: 1, position: { x: 0, y: 0 }, params: {} },
      ...gens,
      { id: 'view', kind: 'image.preview', kindVersion: 1, position: { x: chain ? 1140 : 760, y: 0 }, params: {} },
    ],
    edges: [
      { id: 'e1', source: { node: 'ref', port: 'image' }, target: { node: 'gen1', port: 'images' } },
      ...(chain ? [{ id: 'e2', source: { node: 'gen1', port: 'images' }, target: { node: 'gen2', port: 'images' } }] : []),
      { id: 'e3', source: { node: last, port: 'images' }, target: { node: 'view', port: 'images' } },
    ],
  };
}

async function openWorkflow(page: Page, wf: unknown) {
  await page.getByTestId('open-input').setInputFiles({ name: 'wf.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(wf)) });
  await page.getByTestId('node-gen1').waitFor();
  await page.getByTestId('widget-ref-image').setInputFiles({ name: 'ref.png', mimeType: 'image/png', buffer: referencePng(70) });
  await page.getByTestId('node-ref').getByText('ref.png').waitFor();
}

/** Records, on every DOM change, the page text if it says "not billed", and each new badge text of `nodeId`. */
async function recordTexts(page: Page, nodeId: string) {
  await page.evaluate((id) => {
    const w = window as unknown as { __notBilled: string[]; __badges: string[] };
    w.__notBilled = [];
    w.__badges = [];
    const look = () => {
      const text = document.body.innerText;
      if (/not billed/i.test(text)) w.__notBilled.push(text.slice(0, 400));
      const badge = document.querySelector(`[data-testid="node-status-${id}"]`)?.textContent ?? '';
      if (badge && w.__badges.at(-1) !== badge) w.__badges.push(badge);
    };
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    look();
  }, nodeId);
  return () =>
    page.evaluate(() => {
      const w = window as unknown as { __notBilled: string[]; __badges: string[] };
      return { __notBilled: w.__notBilled, __badges: w.__badges };
    });
}

const badge = (page: Page, id: string) => page.getByTestId(`node-status-${id}`).textContent();

describe('the editor on the job ledger', () => {
  it('never says "not billed" for a queued job whose cancel is refused: it ends billed and its images are collected', async () => {
    const context = await studio.newContext();
    const { page, guard } = await studio.openEditor(context);
    await openWorkflow(page, workflow('refused cancel', false));
    // The next job waits 10 s in the queue (× 0.5), and RunComfy refuses to cancel it.
    await studio.sim.push({ kind: 'job', queueDelayMs: 10_000 }, { kind: 'refuse-cancel', times: 5 });
    const texts = await recordTexts(page, 'gen1');

    await page.getByTestId('run-button').click();
    await page.getByTestId('cost-confirm').click();
    await page.waitForFunction(() => /^queued/.test(document.querySelector('[data-testid="node-status-gen1"]')?.textContent ?? ''), null, { timeout: 15_000 });
    await page.getByTestId('stop-button').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="node-status-gen1"]')?.textContent === 'still running — will be billed', null, {
      timeout: 15_000,
    });
    await studio.screenshot(page, 'ledger-refused-cancel-billed');
    expect(await page.getByTestId('node-message-gen1').textContent()).toMatch(/Could not cancel.*will be billed.*still collected/);
    await page.getByTestId('frames-gen1').waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="node-status-gen1"]')?.textContent === 'collected after stop — billed', null, {
      timeout: 10_000,
    });
    expect(await page.getByTestId('frames-gen1').textContent()).toContain('2 frames');
    await studio.screenshot(page, 'ledger-refused-cancel-collected');

    const seen = await texts();
    console.info(`badges of gen1 over the flow: ${seen.__badges.join(' → ')}`);
    expect(seen.__notBilled).toEqual([]);
    expect(seen.__badges).toContain('still running — will be billed');
    expect(seen.__badges.at(-1)).toBe('collected after stop — billed');
    const [job] = await ledgerJobs(page);
    expect(job).toMatchObject({ nodeId: 'gen1', state: 'stored' });

    // The billed result is in the history, marked as collected after the stop.
    await page.getByTestId('history-button').click();
    expect(await page.getByTestId(`history-entry-${job!.requestId}`).textContent()).toContain('collected after stop');
    expect(await guard.problems()).toEqual([]);
    await context.close();
  }, 90_000);

  it('continues a chained run after a reload without pressing Run: one submit per paid node', async () => {
    const context = await studio.newContext();
    const { page, guard } = await studio.openEditor(context);
    await openWorkflow(page, workflow('reload chain', true));
    const submitsBefore = (await studio.sim.submits()).length;
    await page.getByTestId('run-button').click();
    await page.getByTestId('cost-confirm').click();
    await until(async () => (await ledgerJobs(page)).some((j) => j.nodeId === 'gen1' && j.requestId), 15_000, 'the first job to be submitted');
    expect((await studio.sim.submits()).length - submitsBefore).toBe(1);

    await page.reload();
    await page.getByTestId('run-continued').waitFor({ timeout: 10_000 });
    await studio.screenshot(page, 'ledger-reload-continuing');
    expect(await page.getByTestId('cost-dialog').count()).toBe(0);
    await page.waitForFunction(() => /Finished/.test(document.querySelector('[data-testid="run-phase"]')?.textContent ?? ''), null, { timeout: 60_000 });
    await page.getByTestId('frames-view').waitFor({ timeout: 10_000 });
    await studio.screenshot(page, 'ledger-reload-finished');
    expect(await badge(page, 'gen2')).toMatch(/^done/);
    expect(await page.getByTestId('frames-view').textContent()).toContain('2 frames');
    expect(await page.getByTestId('cost-dialog').count()).toBe(0);

    const submits = (await studio.sim.submits()).slice(submitsBefore);
    expect(submits).toHaveLength(2);
    expect(new Set(submits.map((x) => x.inputHash)).size).toBe(2);
    const jobs = await ledgerJobs(page);
    expect(jobs.map((j) => [j.nodeId, j.state])).toEqual([
      ['gen1', 'stored'],
      ['gen2', 'stored'],
    ]);
    expect(await guard.problems()).toEqual([]);
    await context.close();
  }, 120_000);
});
