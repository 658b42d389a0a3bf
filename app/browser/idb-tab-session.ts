import type { IDBPDatabase } from 'idb';
import { parseTabSession, type TabSession, type TabSessionStore } from '../store/tab-session';
import type { StudioDB } from './idb-database';

/** Where a tab's workflow is kept in the `workflows` store (its revision beside it, see tab-sync). */
export const tabWorkflowKey = (tabId: string): string => `tab:${tabId}`;

/** Sessions kept for windows that are gone: a new window starts from the newest. */
const KEEP_SESSIONS = 12;

/**
 * Each window's tabs in IndexedDB (`sessions`, by owner id). A window without a session of its
 * own (a new window) starts from the newest one. Old sessions beyond the newest few are dropped,
 * and with them the workflows of tabs no kept session lists (tab workflows are written as they
 * are edited, so a tab another window still shows keeps its workflow).
 */
export function createIdbTabSessionStore(db: IDBPDatabase<StudioDB>): TabSessionStore & { prune(): Promise<void> } {
  const readable = async () => (await db.getAllFromIndex('sessions', 'updatedAt')).map(parseTabSession).filter((s): s is TabSession => s !== undefined);
  return {
    async load(ownerId) {
      const own = parseTabSession(await db.get('sessions', ownerId));
      if (own) return { session: own, own: true };
      const newest = (await readable()).at(-1);
      return newest ? { session: newest, own: false } : undefined;
    },
    async save(session) {
      await db.put('sessions', session);
    },
    async prune() {
      const all = await readable();
      const dropped = all.slice(0, Math.max(0, all.length - KEEP_SESSIONS));
      const kept = new Set(all.slice(dropped.length).flatMap((s) => s.tabs.map((t) => tabWorkflowKey(t.id))));
      const tx = db.transaction(['sessions', 'workflows'], 'readwrite');
      const work: Promise<unknown>[] = dropped.map((s) => tx.objectStore('sessions').delete(s.ownerId));
      for (const key of await tx.objectStore('workflows').getAllKeys()) {
        const tabKey = String(key).replace(/:revision$/, '');
        if (tabKey.startsWith('tab:') && !kept.has(tabKey)) work.push(tx.objectStore('workflows').delete(key));
      }
      await Promise.all([...work, tx.done]);
    },
  };
}
