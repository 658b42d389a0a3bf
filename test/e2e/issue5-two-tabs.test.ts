import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIssue5Studio, type Issue5Studio } from './issue5-harness';

let studio: Issue5Studio;
beforeAll(async () => {
  studio = await openIssue5Studio();
}, 120_000);
afterAll(async () => studio?.close());

describe('issue 5 in the browser: two tabs on one workflow', () => {
  it('shows the other tab\'s change instead of overwriting it; "Reload theirs" and "Keep mine" resolve it', async () => {
    const context = await studio.newContext();
    const { page: a, guard: guardA } = await studio.openEditor(context);
    await a.getByTestId('templates-button').click();
    await a.getByTestId('open-builtin:product-set').click();
    await a.getByTestId('node-gen').waitFor();
    await a.waitForTimeout(700); // the autosave throttle

    const { page: b, guard: guardB } = await studio.openEditor(context);
    await b.getByTestId('node-gen').waitFor();

    // A changes the seed; B, which has the older revision, is told and saves nothing over it.
    await a.getByTestId('widget-gen-seed').fill('111');
    await a.getByTestId('widget-gen-seed').blur();
    const banner = b.getByTestId('other-tab-banner');
    await banner.waitFor({ timeout: 5_000 });
    await studio.screenshot(b, 'issue5-other-tab-banner');
    expect(await banner.textContent()).toMatch(/changed in another tab/);
    await b.getByTestId('widget-gen-seed').fill('222');
    await b.getByTestId('widget-gen-seed').blur();
    await b.waitForTimeout(700);
    expect(await a.getByTestId('other-tab-banner').count()).toBe(0);

    await b.getByTestId('other-tab-reload').click();
    await banner.waitFor({ state: 'detached' });
    expect(await b.getByTestId('widget-gen-seed').inputValue()).toBe('111');

    // Now B keeps its own edit: A is the one told.
    await a.getByTestId('widget-gen-seed').fill('333');
    await a.getByTestId('widget-gen-seed').blur();
    await banner.waitFor();
    await b.getByTestId('widget-gen-seed').fill('444');
    await b.getByTestId('widget-gen-seed').blur();
    await b.getByTestId('other-tab-keep').click();
    await banner.waitFor({ state: 'detached' });
    await a.getByTestId('other-tab-banner').waitFor({ timeout: 5_000 });
    await a.getByTestId('other-tab-reload').click();
    await a.getByTestId('other-tab-banner').waitFor({ state: 'detached' });
    expect(await a.getByTestId('widget-gen-seed').inputValue()).toBe('444');
    expect([...(await guardA.problems()), ...(await guardB.problems())]).toEqual([]);
    await context.close();
  }, 60_000);
});
