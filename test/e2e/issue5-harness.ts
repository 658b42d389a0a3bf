/**
 * Issue 5 browser tests (templates, history, runs that survive reloads) on the shared fixture
 * (./studio-fixture.ts: the built editor on the real server, simulator mode, Chromium). Adds
 * what these tests need: the simulator's counts, faults, submit log and expiry through its control
 * routes, the page's job ledger, and a guard against remote images being fetched through the server.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { SimulatorOptions } from '../../app/server/simulator';
import { openStudio, solidPng, type PageGuard, type StudioFixture } from './studio-fixture';

export { dropFiles } from './studio-fixture';

export interface SimulatorControl {
  counts(): Promise<{ submits: number; jobsCreated: number }>;
  jobs(): Promise<{ request_id: string; phase: string; images: number }[]>;
  /** Makes the simulator forget a request, as RunComfy does when an id expires. */
  expire(requestId: string): Promise<void>;
  /** Pushes scripted faults (see app/server/simulator/README.md). */
  push(...faults: Record<string, unknown>[]): Promise<void>;
  /** Every accepted submit with the hash of its input. */
  submits(): Promise<{ requestId: string; inputHash: string }[]>;
}

export interface Issue5Studio {
  fixture: StudioFixture;
  sim: SimulatorControl;
  newContext(): Promise<BrowserContext>;
  openEditor(context: BrowserContext): Promise<{ page: Page; guard: PageGuard }>;
  screenshot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

export async function openIssue5Studio(simulator: SimulatorOptions = {}): Promise<Issue5Studio> {
  const fixture = await openStudio({ simulator: { ...simulator, controlRoutes: true } });
  const control = new URL('/_simulator', fixture.studio.upstreamBaseUrl).href;
  const call = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${control}${path}`, init);
    if (!res.ok) throw new Error(`simulator control ${path}: HTTP ${res.status}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  return {
    fixture,
    sim: {
      counts: async () => (await call('')).counts as { submits: number; jobsCreated: number },
      jobs: async () => (await call('')).jobs as { request_id: string; phase: string; images: number }[],
      async expire(requestId) {
        await call('/faults', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ kind: 'expire', requestId, times: 100 }),
        });
      },
      async push(...faults) {
        await call('/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
      },
      submits: async () => (await call('/submits')).submits as { requestId: string; inputHash: string }[],
    },
    newContext: () => fixture.newContext(),
    async openEditor(context) {
      const opened = await fixture.openEditor(context);
      // Built-in templates reference https images: their thumbnails would make the server fetch
      // them (the page only sees a loopback request). These tests never leave loopback.
      await opened.page.route(/\/api\/assets\?url=https/, (route) => route.abort());
      return opened;
    },
    screenshot: (page, name) => fixture.screenshot(page, name),
    close: () => fixture.close(),
  };
}

/** A small PNG that passes Seedream's reference checks. */
export const referencePng = (shade = 120): Buffer => solidPng([shade, 255 - shade, (shade * 3) % 256]);

/** One record of the page's job ledger, as the tests read it. */
export interface LedgerRow {
  jobId: string;
  nodeId: string;
  state: string;
  requestId?: string;
  dismissed?: boolean;
}

/** The records of the page's job ledger (IndexedDB `ledger`), oldest first. */
export function ledgerJobs(page: Page): Promise<LedgerRow[]> {
  return page.evaluate(
    () =>
      new Promise<LedgerRow[]>((resolveRows, reject) => {
        const open = indexedDB.open('sequence-studio');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const req = db.transaction('ledger').objectStore('ledger').getAll();
          req.onsuccess = () => {
            const rows = (req.result as (LedgerRow & { createdAt: number })[]).sort((a, b) => a.createdAt - b.createdAt);
            resolveRows(
              rows.map(({ jobId, nodeId, state, requestId, dismissed }) => ({
                jobId,
                nodeId,
                state,
                ...(requestId ? { requestId } : {}),
                ...(dismissed ? { dismissed } : {}),
              })),
            );
            db.close();
          };
          req.onerror = () => reject(req.error);
        };
      }),
  );
}

/** Request ids in the page's job ledger, sorted. */
export async function ledgerRequestIds(page: Page): Promise<string[]> {
  return (await ledgerJobs(page)).flatMap((r) => (r.requestId ? [r.requestId] : [])).sort();
}

/** Polls `fn` until it returns true. */
export async function until(fn: () => Promise<boolean> | boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
