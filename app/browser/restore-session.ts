import type { IDBPDatabase } from 'idb';
import type { Issue } from '../graph/issues';
import type { NodeRegistry } from '../graph/registry';
import { restoreWorkflow } from '../store/autosave';
import type { QueuedRun } from '../store/queue-session';
import { newTabId, type TabSeed } from '../store/tab-types';
import { restoreTabs, type TabSessionStore } from '../store/tab-session';
import type { StudioDB } from './idb-database';
import { tabWorkflowKey } from './idb-tab-session';
import { createTabSync, type TabSync } from './tab-sync';

export interface RestoredSession {
  seeds: TabSeed[];
  activeId: string | undefined;
  /** What was repaired or could not be reopened. */
  issues: Issue[];
  /** Runs this window had queued that had not started (another window's are never taken over: they are its own). */
  queued: QueuedRun[];
  /** The tab's workflow storage, synced with other windows showing the same tab; undefined without IndexedDB. */
  syncFor(tabId: string): TabSync | undefined;
  /** The tab's workflow is stored already (restored): nothing to write until it is edited. */
  hasStored(tabId: string): boolean;
  closeSync(tabId: string): void;
}

/**
 * The tabs a page opens with: this window's own (a reload), else the newest window's (a new
 * window starts where the last one was, its tabs' workflows shared and synced as the single
 * workflow was), else the single autosaved workflow of versions before tabs, as one tab (its
 * interrupted run, if any, moved to that tab so the reload continues it). A reload also finds the
 * runs it had waiting in the queue; a new window does not take another window's.
 */
export async function restoreSession(o: {
  db: IDBPDatabase<StudioDB> | undefined;
  sessions: TabSessionStore;
  ownerId: string;
  registry: NodeRegistry;
}): Promise<RestoredSession> {
  const { db } = o;
  const syncs = new Map<string, TabSync>();
  const stored = new Set<string>();
  const syncFor = (tabId: string) => {
    if (!db) return undefined;
    let sync = syncs.get(tabId);
    if (!sync) syncs.set(tabId, (sync = createTabSync(db, { key: tabWorkflowKey(tabId) })));
    return sync;
  };
  const result = (seeds: TabSeed[], activeId: string | undefined, issues: Issue[], isStored = true, queued: QueuedRun[] = []): RestoredSession => {
    if (isStored) for (const s of seeds) if (s.id) stored.add(s.id);
    return {
      seeds,
      activeId,
      issues,
      queued,
      syncFor,
      hasStored: (tabId) => stored.has(tabId),
      closeSync(tabId) {
        syncs.get(tabId)?.dispose();
        syncs.delete(tabId);
        stored.delete(tabId);
      },
    };
  };
  if (!db) return result([], undefined, []);
  const found = await o.sessions.load(o.ownerId).catch(() => undefined);
  if (found) {
    const restored = await restoreTabs(found.session, (id) => syncFor(id)!.storage, o.registry);
    // Tabs not reopened are not synced.
    for (const id of syncs.keys()) if (!restored.seeds.some((s) => s.id === id)) syncs.get(id)!.dispose();
    return result(restored.seeds, restored.activeId, restored.issues, true, found.own ? found.session.queue : []);
  }
  const legacy = createTabSync(db);
  const old = await restoreWorkflow(legacy.storage, o.registry);
  legacy.dispose();
  if (!old.workflow) return result([], undefined, old.issues);
  const id = newTabId();
  const run = await db.get('runs', o.ownerId).catch(() => undefined);
  if (run !== undefined) {
    const tx = db.transaction('runs', 'readwrite');
    await Promise.all([tx.store.put(run, `${o.ownerId}:${id}`), tx.store.delete(o.ownerId), tx.done]);
  }
  // Not stored under the tab's key yet: the first write of the tab saves it.
  return result([{ id, workflow: old.workflow }], id, old.issues, false);
}
