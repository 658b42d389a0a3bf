import { z } from 'zod';
import type { Issue } from '../graph/issues';
import type { NodeRegistry } from '../graph/registry';
import { restoreWorkflow, type WorkflowStorage } from './autosave';
import { waitingRuns, zQueuedRun } from './queue-session';
import { zSeedMode } from './seed-control';
import type { TabManager, TabSeed } from './tab-manager';

/** Bumped (with a named migration in `parseTabSession`) when the stored shape changes. */
export const TAB_SESSION_VERSION = 1;

const zViewport = z.object({ x: z.number(), y: z.number(), zoom: z.number().positive() });

/** One tab as kept between reloads; its workflow is stored apart (see browser/tab-sync), saved as it is edited. */
export const zSessionTab = z.object({
  id: z.string().min(1),
  documentId: z.string().min(1).optional(),
  savedId: z.string().min(1).optional(),
  savedRevision: z.int().min(1).optional(),
  dirty: z.boolean().default(false),
  viewport: zViewport.optional(),
  seedMode: zSeedMode.catch('fixed').default('fixed'),
});

/** The tabs of one browser window (its owner id, kept across reloads of that window), in order. */
export const zTabSession = z.object({
  v: z.literal(TAB_SESSION_VERSION),
  ownerId: z.string().min(1),
  /** Wall-clock ms of the last write: a new window starts from the newest session. */
  updatedAt: z.number(),
  activeId: z.string(),
  tabs: z.array(zSessionTab),
  /** Queued runs that had not started: put back in the queue after a reload. */
  queue: z.array(zQueuedRun).default([]),
});
export type TabSession = z.infer<typeof zTabSession>;

export function parseTabSession(raw: unknown): TabSession | undefined {
  const parsed = zTabSession.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** Where sessions live (IndexedDB `sessions` in the browser). */
export interface TabSessionStore {
  /** This window's session; else the newest of any window (`own: false`), so a new window opens where the last one was. */
  load(ownerId: string): Promise<{ session: TabSession; own: boolean } | undefined>;
  save(session: TabSession): Promise<void>;
}

/** Sessions in memory (tests; browsers without storage). */
export class MemoryTabSessionStore implements TabSessionStore {
  readonly sessions = new Map<string, TabSession>();
  async load(ownerId: string) {
    const own = this.sessions.get(ownerId);
    if (own) return { session: structuredClone(own), own: true };
    const newest = [...this.sessions.values()].sort((a, b) => b.updatedAt - a.updatedAt)[0];
    return newest ? { session: structuredClone(newest), own: false } : undefined;
  }
  async save(session: TabSession) {
    this.sessions.set(session.ownerId, structuredClone(session));
  }
}

/** The session of a manager's tabs now. */
export function sessionOf(manager: Pick<TabManager, 'state' | 'queue'>, ownerId: string, now: number): TabSession {
  const { tabs, activeId } = manager.state.getState();
  return {
    v: TAB_SESSION_VERSION,
    ownerId,
    updatedAt: now,
    activeId,
    tabs: tabs.map((t) => ({
      id: t.id,
      documentId: t.documentId,
      ...(t.savedId ? { savedId: t.savedId, savedRevision: t.savedRevision ?? 1 } : {}),
      dirty: t.dirty,
      ...(t.viewport ? { viewport: t.viewport } : {}),
      seedMode: t.seedMode,
    })),
    queue: waitingRuns(manager.queue),
  };
}

/**
 * The tabs to reopen: every tab of the session whose workflow still loads (migrated and repaired;
 * a tab whose workflow is gone or unreadable is left out and said so), the active tab, and the
 * issues to tell the user.
 */
export async function restoreTabs(
  session: TabSession,
  storageOf: (tabId: string) => WorkflowStorage,
  registry: NodeRegistry,
): Promise<{ seeds: TabSeed[]; activeId: string | undefined; issues: Issue[] }> {
  const seeds: TabSeed[] = [];
  const issues: Issue[] = [];
  for (const tab of session.tabs) {
    const restored = await restoreWorkflow(storageOf(tab.id), registry);
    if (!restored.workflow) {
      const why = restored.issues[0]?.message ?? 'its workflow was not found';
      issues.push({ severity: 'warning', code: 'tab-not-restored', message: `A tab could not be reopened: ${why}` });
      continue;
    }
    for (const i of restored.issues) issues.push(i);
    seeds.push({
      id: tab.id,
      workflow: restored.workflow,
      ...(tab.documentId ? { documentId: tab.documentId } : {}),
      ...(tab.savedId ? { savedId: tab.savedId, savedRevision: tab.savedRevision ?? 1 } : {}),
      dirty: tab.dirty,
      ...(tab.viewport ? { viewport: tab.viewport } : {}),
      seedMode: tab.seedMode,
    });
  }
  return { seeds, activeId: seeds.some((s) => s.id === session.activeId) ? session.activeId : seeds[0]?.id, issues };
}

export interface SessionSaver {
  /** Writes now if anything changed since the last write (page hide). */
  flush(): Promise<void>;
  dispose(): void;
}

/**
 * Keeps the window's session written: after every change of the tabs (open, close, order,
 * active tab, saved binding, view) or of the queue, at most once per `intervalMs`. A failed write says so
 * through `onError` and is tried again on the next change.
 */
export function attachSessionSaver(
  manager: Pick<TabManager, 'state' | 'queue'>,
  store: TabSessionStore,
  options: { ownerId: string; now?: () => number; intervalMs?: number; onError?: (err: unknown) => void },
): SessionSaver {
  const now = options.now ?? Date.now;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let written = [manager.state.getState(), manager.queue.store.getState()] as const;
  let inFlight: Promise<void> = Promise.resolve();
  const write = async () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const current = [manager.state.getState(), manager.queue.store.getState()] as const;
    if (current[0] === written[0] && current[1] === written[1]) return;
    written = current;
    inFlight = inFlight.then(() => store.save(sessionOf(manager, options.ownerId, now()))).catch((err: unknown) => options.onError?.(err));
    await inFlight;
  };
  const schedule = () => {
    timer ??= setTimeout(() => void write(), options.intervalMs ?? 300);
  };
  const offTabs = manager.state.subscribe(schedule);
  const offQueue = manager.queue.store.subscribe(schedule);
  // The first write marks this window's session as its own (and the newest).
  inFlight = store.save(sessionOf(manager, options.ownerId, now())).catch((err: unknown) => options.onError?.(err));
  return {
    flush: write,
    dispose() {
      offTabs();
      offQueue();
      if (timer) clearTimeout(timer);
    },
  };
}
