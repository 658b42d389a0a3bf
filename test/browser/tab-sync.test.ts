import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openStudioDB } from '../../app/browser/idb-database';
import { connectTabSync, createTabSync, REVISION_KEY, type ChannelLike } from '../../app/browser/tab-sync';
import { attachAutosave, restoreWorkflow } from '../../app/store/autosave';
import { registry } from '../../nodes';
import { createTestStore, paidWorkflow } from '../fixtures/studio-store';

/** BroadcastChannel stand-in: every channel of a hub hears the others' messages, not its own. */
function channelHub() {
  const members = new Set<{ listeners: Set<(e: { data: unknown }) => void> }>();
  return () => {
    const me = { listeners: new Set<(e: { data: unknown }) => void>() };
    members.add(me);
    const channel: ChannelLike = {
      postMessage(data) {
        for (const m of members) if (m !== me) m.listeners.forEach((l) => l({ data: structuredClone(data) }));
      },
      addEventListener: (_t, l) => void me.listeners.add(l),
      removeEventListener: (_t, l) => void me.listeners.delete(l),
      close: () => void members.delete(me),
    };
    return channel;
  };
}

let n = 0;
const opened: { close(): void }[] = [];
afterEach(() => opened.splice(0).forEach((db) => db.close()));

/** Two tabs on one database, each with its own store, autosave and tab sync. */
async function twoTabs() {
  const db = await openStudioDB(`tabs-${++n}`);
  opened.push(db);
  const hub = channelHub();
  const tab = async (id: string) => {
    const sync = createTabSync(db, { tabId: id, channel: hub(), now: () => 5_000 });
    const restored = await restoreWorkflow(sync.storage, registry);
    const t = createTestStore(restored.workflow ?? paidWorkflow(2));
    const autosave = attachAutosave(t.store, sync.storage, { intervalMs: 0 });
    const actions = connectTabSync(sync, t.store, registry);
    return { sync, store: t.store, autosave, actions };
  };
  return { db, tab };
}

const setMax = (store: ReturnType<typeof createTestStore>['store'], value: number) => store.getState().setParam('gen', 'maxImages', value);
const maxOf = (store: ReturnType<typeof createTestStore>['store']) => store.getState().workflow.nodes.find((x) => x.id === 'gen')!.params.maxImages;

describe('tab sync', () => {
  it('writes a revision with every save and tells the other tab, which shows the change instead of overwriting it', async () => {
    const { db, tab } = await twoTabs();
    const a = await tab('A');
    setMax(a.store, 3);
    await a.autosave.flush();
    const b = await tab('B');
    expect(b.sync.knownRevision()).toBe(1);

    setMax(a.store, 4);
    await a.autosave.flush();
    expect(b.store.getState().otherTab).toEqual({ revision: 2, savedAt: 5_000 });

    // B's own edit is not saved over A's newer revision.
    setMax(b.store, 9);
    await b.autosave.flush();
    expect((await db.get('workflows', 'current')) as { nodes: { id: string; params: { maxImages: number } }[] }).toMatchObject({
      nodes: expect.arrayContaining([expect.objectContaining({ id: 'gen', params: expect.objectContaining({ maxImages: 4 }) })]),
    });
    expect(await db.get('workflows', REVISION_KEY)).toMatchObject({ revision: 2, tabId: 'A' });
  });

  it('"Reload theirs" opens the other tab\'s workflow as one undo step and writes nothing back', async () => {
    const { db, tab } = await twoTabs();
    const a = await tab('A');
    setMax(a.store, 3);
    await a.autosave.flush();
    const b = await tab('B');
    setMax(a.store, 5);
    await a.autosave.flush();
    setMax(b.store, 7);
    await b.autosave.flush();
    expect(b.store.getState().otherTab?.revision).toBe(2);

    await b.actions.reloadTheirs();
    await b.autosave.idle();
    expect(maxOf(b.store)).toBe(5);
    expect(b.store.getState().otherTab).toBeNull();
    expect(a.store.getState().otherTab).toBeNull();
    expect(await db.get('workflows', REVISION_KEY)).toMatchObject({ revision: 2, tabId: 'A' });
    b.store.undo();
    expect(maxOf(b.store)).toBe(7);
  });

  it('"Keep mine" writes ours as a new revision, which the other tab then sees', async () => {
    const { db, tab } = await twoTabs();
    const a = await tab('A');
    setMax(a.store, 3);
    await a.autosave.flush();
    const b = await tab('B');
    setMax(a.store, 5);
    await a.autosave.flush();
    setMax(b.store, 8);
    await b.autosave.flush();
    expect(b.store.getState().otherTab?.revision).toBe(2);

    await b.actions.keepMine();
    expect(b.store.getState().otherTab).toBeNull();
    expect(await db.get('workflows', REVISION_KEY)).toMatchObject({ revision: 3, tabId: 'B' });
    expect(a.store.getState().otherTab).toEqual({ revision: 3, savedAt: 5_000 });
  });

  it('finds a newer revision when saving even without a channel (no BroadcastChannel)', async () => {
    const db = await openStudioDB(`tabs-${++n}`);
    opened.push(db);
    const a = createTabSync(db, { tabId: 'A', channel: null });
    const b = createTabSync(db, { tabId: 'B', channel: null });
    await a.storage.load();
    await b.storage.load();
    const heads: number[] = [];
    b.onConflict((h) => heads.push(h.revision));
    await a.storage.save(paidWorkflow(2));
    await b.storage.save(paidWorkflow(9));
    expect(heads).toEqual([1]);
    expect((await a.readStored()).head).toMatchObject({ revision: 1, tabId: 'A' });
  });
});

describe('createTabSync while the page is being hidden', () => {
  it('writes at once without reading first, and the revision still advances', async () => {
    const db = await openStudioDB(`leaving-${++n}`);
    opened.push(db);
    const sync = createTabSync(db, { tabId: 'a', channel: null, now: () => 1 });
    await sync.storage.load();
    const g = globalThis as { document?: unknown };
    const before = g.document;
    g.document = { visibilityState: 'hidden' };
    try {
      await sync.storage.save(paidWorkflow(1));
      await sync.storage.save(paidWorkflow(2));
    } finally {
      g.document = before;
    }
    expect(sync.knownRevision()).toBe(2);
    const { raw, head } = await sync.readStored();
    expect(raw).toEqual(paidWorkflow(2));
    expect(head).toMatchObject({ revision: 2, tabId: 'a' });
  });
});
