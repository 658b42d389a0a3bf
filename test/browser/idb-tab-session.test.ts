import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openStudioDB } from '../../app/browser/idb-database';
import { createIdbTabSessionStore, tabWorkflowKey } from '../../app/browser/idb-tab-session';
import { createIdbWorkflowLibrary } from '../../app/browser/idb-workflow-library';
import { restoreSession } from '../../app/browser/restore-session';
import { createTabSync, type ChannelLike } from '../../app/browser/tab-sync';
import { TAB_SESSION_VERSION, type TabSession } from '../../app/store/tab-session';
import { saveToLibrary } from '../../app/store/workflow-library';
import { registry } from '../../nodes';
import { paidWorkflow } from '../fixtures/studio-store';

let n = 0;
const opened: { close(): void }[] = [];
afterEach(() => opened.splice(0).forEach((db) => db.close()));
const freshDb = async () => {
  const db = await openStudioDB(`sessions-${++n}`);
  opened.push(db);
  return db;
};
const session = (ownerId: string, updatedAt: number, tabIds: string[]): TabSession => ({
  v: TAB_SESSION_VERSION,
  ownerId,
  updatedAt,
  activeId: tabIds[0]!,
  tabs: tabIds.map((id) => ({ id, dirty: false, seedMode: 'fixed' })),
  queue: [],
});

/** A channel that hears every message posted on the hub but its own. */
function hub() {
  const members = new Set<Set<(e: { data: unknown }) => void>>();
  return (): ChannelLike => {
    const mine = new Set<(e: { data: unknown }) => void>();
    members.add(mine);
    return {
      postMessage: (data) => members.forEach((m) => m !== mine && m.forEach((l) => l({ data }))),
      addEventListener: (_t, l) => void mine.add(l),
      removeEventListener: (_t, l) => void mine.delete(l),
      close: () => void members.delete(mine),
    };
  };
}

describe('IndexedDB tab sessions and saved workflows', () => {
  it('gives a window its own session, and a new window the newest one', async () => {
    const db = await freshDb();
    const store = createIdbTabSessionStore(db);
    await store.save(session('w1', 10, ['a']));
    await store.save(session('w2', 20, ['b', 'c']));
    expect(await store.load('w1')).toMatchObject({ own: true, session: { tabs: [{ id: 'a' }] } });
    expect(await store.load('w3')).toMatchObject({ own: false, session: { ownerId: 'w2' } });
  });

  it('drops old sessions past the newest twelve, and the workflows of tabs no kept session lists', async () => {
    const db = await freshDb();
    const store = createIdbTabSessionStore(db);
    for (let i = 0; i < 14; i++) await store.save(session(`w${i}`, i, [`tab${i}`]));
    for (let i = 0; i < 14; i++) {
      await db.put('workflows', paidWorkflow(2), tabWorkflowKey(`tab${i}`));
      await db.put('workflows', { revision: 1, tabId: 'x', savedAt: 0 }, `${tabWorkflowKey(`tab${i}`)}:revision`);
    }
    await db.put('workflows', paidWorkflow(2), 'current');
    await store.prune();
    expect((await db.getAllKeys('sessions')).length).toBe(12);
    const keys = (await db.getAllKeys('workflows')).map(String);
    expect(keys).not.toContain('tab:tab0');
    expect(keys).not.toContain('tab:tab1:revision');
    expect(keys).toContain('tab:tab2');
    expect(keys).toContain('current');
  });

  it('keeps saved workflows newest first and skips records it cannot read', async () => {
    const db = await freshDb();
    const lib = createIdbWorkflowLibrary(db);
    await saveToLibrary(lib, { workflow: paidWorkflow(2), name: 'old', now: () => new Date('2026-01-01T00:00:00Z') });
    await saveToLibrary(lib, { workflow: paidWorkflow(3), name: 'new', now: () => new Date('2026-02-01T00:00:00Z') });
    await db.put('saved', { id: 'junk', updatedAt: '2027-01-01' });
    expect((await lib.list()).map((e) => e.name)).toEqual(['new', 'old']);
  });

  it('opens the single workflow of old as one tab, with the run a reload interrupted moved to it', async () => {
    const db = await freshDb();
    const legacy = createTabSync(db, { channel: null });
    await legacy.storage.save(paidWorkflow(5));
    legacy.dispose();
    await db.put('runs', { v: 1, runId: 'r1', startedAt: 1, workflow: paidWorkflow(5), held: {} }, 'owner-1');
    const restored = await restoreSession({ db, sessions: createIdbTabSessionStore(db), ownerId: 'owner-1', registry });
    expect(restored.seeds).toHaveLength(1);
    const id = restored.seeds[0]!.id!;
    expect(restored.seeds[0]!.workflow.nodes.find((x) => x.id === 'gen')?.params.maxImages).toBe(5);
    expect(restored.hasStored(id)).toBe(false);
    expect(await db.get('runs', 'owner-1')).toBeUndefined();
    expect(await db.get('runs', `owner-1:${id}`)).toMatchObject({ runId: 'r1' });
    restored.closeSync(id);
  });

  it('syncs each tab’s workflow on its own key: a change in one window’s tab conflicts only with that tab', async () => {
    const db = await freshDb();
    const channels = hub();
    const a1 = createTabSync(db, { key: tabWorkflowKey('t1'), tabId: 'A', channel: channels() });
    const b1 = createTabSync(db, { key: tabWorkflowKey('t1'), tabId: 'B', channel: channels() });
    const b2 = createTabSync(db, { key: tabWorkflowKey('t2'), tabId: 'B', channel: channels() });
    const conflicts: string[] = [];
    b1.onConflict(() => conflicts.push('t1'));
    b2.onConflict(() => conflicts.push('t2'));
    await a1.storage.save(paidWorkflow(4));
    expect(conflicts).toEqual(['t1']);
    expect(await db.get('workflows', 'tab:t1')).toBeDefined();
    expect(await db.get('workflows', 'current')).toBeUndefined();
    [a1, b1, b2].forEach((s) => s.dispose());
  });
});
