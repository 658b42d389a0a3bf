import { createStore, type StoreApi } from 'zustand/vanilla';
import { emptyWorkflow, type Workflow } from '../graph/workflow-schema';
import { createStudioStore, type StudioStore } from './create-store';
import { createIdAllocator } from './id-allocator';
import { isRunActive, type JobView } from './run-reducer';
import { createRunQueue } from './run-queue';
import type { RunRecordStore } from './run-record';
import { createRunSnapshots } from './run-snapshots';
import type { SeedMode } from './seed-control';
import type { StudioDeps, TabHost } from './store-types';
import { newTabId, type OpenOptions, type TabAttachment, type TabInfo, type TabSeed, type TabSyncActions, type TabsState, type Viewport } from './tab-types';

export type { OpenOptions, TabAttachment, TabInfo, TabSeed, TabSyncActions, TabsState, Viewport } from './tab-types';

export interface TabManagerDeps {
  /** What every tab's store is built from: the services all tabs share. */
  studio: Omit<StudioDeps, 'workflow' | 'documentId' | 'runs' | 'queue' | 'tabs' | 'jobs'>;
  /** Where a tab's run in progress is kept, so a reload continues it. */
  runsFor?(tabId: string): RunRecordStore;
  /** The tabs to start with (a reload's); one empty tab when none. */
  initial?: readonly TabSeed[];
  activeId?: string;
  attach?(tabId: string, store: StudioStore): TabAttachment;
  newTabId?(): string;
}

const titleOf = (wf: Workflow) => wf.meta.name?.trim() || 'Untitled';

/**
 * Several workflows open as tabs. Each tab is a whole editor store (its own undo history, run
 * view and results), all built on the same services: one ledger, cache, assets, run snapshots
 * and id allocator, so no two tabs ever issue the same node id and every tab folds every ledger
 * update for its own document. Runs go through one queue, one at a time. A tab closed while its
 * run is going stays alive (hidden) until the run ends: its paid jobs are collected and cached.
 */
export function createTabManager(deps: TabManagerDeps) {
  const shared = { ...deps.studio, ids: deps.studio.ids ?? createIdAllocator(), snapshots: deps.studio.snapshots ?? createRunSnapshots() };
  const nextTabId = deps.newTabId ?? newTabId;
  const stores = new Map<string, StudioStore>();
  const attachments = new Map<string, TabAttachment>();
  /** What each tab's workflow was when opened or last saved: it is unchanged while it is this very object. */
  const baselines = new Map<string, Workflow | undefined>();
  /** Closed tabs whose run is still going. */
  const closing = new Map<string, StudioStore>();
  const unsubscribers = new Map<string, () => void>();

  const state: StoreApi<TabsState> = createStore<TabsState>()(() => ({ tabs: [], activeId: '' }));
  const info = (id: string) => state.getState().tabs.find((t) => t.id === id);
  const patch = (id: string, change: Partial<TabInfo>) => state.setState((s) => ({ tabs: s.tabs.map((t) => (t.id === id ? { ...t, ...change } : t)) }));

  const storeOf = (id: string): StudioStore | undefined => stores.get(id) ?? closing.get(id);
  const queue = createRunQueue({
    run: async (item) => {
      const store = storeOf(item.tabId);
      return store ? store.getState().runQueued(item) : { status: 'cancelled', note: 'Its tab was closed before it started: nothing was paid.' };
    },
    stop: (item) => storeOf(item.tabId)?.getState().stopRun(),
  });

  /** Jobs every tab has seen (a new tab shows the ones doing its work). */
  const knownJobs = () => {
    const all: Record<string, JobView> = {};
    for (const s of stores.values()) Object.assign(all, s.getState().jobs);
    return all;
  };

  const host: TabHost = { openInTab: (workflow, options) => open(workflow, options ?? {}) };

  const make = (seed: TabSeed): TabInfo => {
    const id = seed.id ?? nextTabId();
    const runs = deps.runsFor?.(id);
    const store = createStudioStore({
      ...shared,
      workflow: seed.workflow,
      ...(seed.documentId ? { documentId: seed.documentId } : {}),
      ...(runs ? { runs } : {}),
      queue: {
        busy: () => queue.busy(),
        add: (r) => queue.add(id, info(id)?.title ?? 'Untitled', r),
        reaccept: (itemId, accepted) => queue.reaccept(itemId, accepted),
      },
      tabs: host,
      jobs: knownJobs(),
    });
    stores.set(id, store);
    baselines.set(id, seed.dirty ? undefined : store.getState().workflow);
    unsubscribers.set(
      id,
      store.subscribe((s, prev) => {
        if (s.workflow === prev.workflow && s.documentId === prev.documentId) return;
        patch(id, { title: titleOf(s.workflow), dirty: s.workflow !== baselines.get(id), documentId: s.documentId });
      }),
    );
    const tab: TabInfo = {
      id,
      title: titleOf(seed.workflow),
      dirty: !!seed.dirty,
      ...(seed.savedId ? { savedId: seed.savedId, savedRevision: seed.savedRevision ?? 1 } : {}),
      ...(seed.viewport ? { viewport: seed.viewport } : {}),
      seedMode: seed.seedMode ?? 'fixed',
      documentId: store.getState().documentId,
    };
    if (deps.attach) attachments.set(id, deps.attach(id, store));
    return tab;
  };

  /** An empty tab nobody touched: opening a workflow uses it instead of leaving it behind. */
  const untouched = (id: string) => {
    const store = stores.get(id);
    const tab = info(id);
    if (!store || !tab || tab.savedId || tab.dirty) return false;
    const s = store.getState();
    return s.workflow.nodes.length === 0 && store.temporal.getState().pastStates.length === 0 && !isRunActive(s.run) && queue.ofTab(id).length === 0;
  };

  const open = (workflow: Workflow, options: OpenOptions): StudioStore => {
    const named = options.title ? { ...workflow, meta: { ...workflow.meta, name: options.title } } : workflow;
    const { activeId } = state.getState();
    if (!options.fresh && untouched(activeId)) {
      const store = stores.get(activeId)!;
      store.getState().openDocument(named);
      // As a new tab would: nothing to undo back to.
      store.temporal.getState().clear();
      baselines.set(activeId, store.getState().workflow);
      const { savedId: _id, savedRevision: _rev, viewport: _vp, ...rest } = info(activeId)!;
      state.setState((s) => ({
        tabs: s.tabs.map((t) =>
          t.id === activeId
            ? {
                ...rest,
                title: titleOf(named),
                dirty: false,
                ...(options.savedId ? { savedId: options.savedId, savedRevision: options.savedRevision ?? 1 } : {}),
              }
            : t,
        ),
      }));
      return store;
    }
    const tab = make({ workflow: named, ...(options.savedId ? { savedId: options.savedId, savedRevision: options.savedRevision ?? 1 } : {}) });
    state.setState((s) => {
      const at = s.tabs.findIndex((t) => t.id === s.activeId) + 1;
      return { tabs: [...s.tabs.slice(0, at), tab, ...s.tabs.slice(at)], activeId: tab.id };
    });
    return stores.get(tab.id)!;
  };

  /** Whether closing would lose something or leave something going: the UI asks first. */
  const closeCheck = (id: string) => {
    const store = stores.get(id);
    const running = !!store && (isRunActive(store.getState().run) || queue.running()?.tabId === id);
    return { dirty: info(id)?.dirty ?? false, running, queued: queue.ofTab(id).filter((i) => i.status !== 'running').length };
  };

  const disposeWhenDone = (id: string, store: StudioStore) => {
    const done = () => !isRunActive(store.getState().run) && queue.running()?.tabId !== id;
    if (done()) {
      store.dispose();
      return;
    }
    closing.set(id, store);
    const check = () => {
      if (!done()) return;
      offStore();
      offQueue();
      closing.delete(id);
      store.dispose();
    };
    const offStore = store.subscribe(check);
    const offQueue = queue.store.subscribe(check);
  };

  const close = (id: string): void => {
    const store = stores.get(id);
    if (!store) return;
    queue.dropTab(id);
    attachments.get(id)?.close();
    attachments.delete(id);
    unsubscribers.get(id)?.();
    unsubscribers.delete(id);
    stores.delete(id);
    baselines.delete(id);
    disposeWhenDone(id, store);
    const { tabs, activeId } = state.getState();
    const at = tabs.findIndex((t) => t.id === id);
    const rest = tabs.filter((t) => t.id !== id);
    if (rest.length === 0) {
      const fresh = make({ workflow: emptyWorkflow({ name: 'Untitled' }) });
      state.setState({ tabs: [fresh], activeId: fresh.id });
      return;
    }
    state.setState({ tabs: rest, activeId: activeId === id ? rest[Math.min(at, rest.length - 1)]!.id : activeId });
  };

  const seeds = deps.initial?.length ? deps.initial : [{ workflow: emptyWorkflow({ name: 'Untitled' }) }];
  const first = seeds.map(make);
  state.setState({ tabs: first, activeId: first.some((t) => t.id === deps.activeId) ? deps.activeId! : first[0]!.id });

  return {
    state,
    queue,
    registry: shared.registry,
    /** The ids and snapshots every tab shares (the output sink and history attribute results through them). */
    snapshots: shared.snapshots,
    storeOf,
    active: (): StudioStore => stores.get(state.getState().activeId)!,
    syncOf: (id: string): TabSyncActions | undefined => attachments.get(id)?.sync,
    /**
     * The one call for "open this workflow": in a new tab (or the shown one when it is an
     * untouched empty tab), named `title` when given, shown at once; returns that tab's store.
     */
    openInTab: (workflow: Workflow, title?: string, options: Omit<OpenOptions, 'title'> = {}): StudioStore =>
      open(workflow, { ...options, ...(title ? { title } : {}) }),
    /** The tab that edits this saved workflow, if one does. */
    tabOfSaved: (savedId: string): TabInfo | undefined => state.getState().tabs.find((t) => t.savedId === savedId),
    newTab: (): StudioStore => open(emptyWorkflow({ name: 'Untitled' }), { fresh: true }),
    closeCheck,
    closeTab: close,
    activate(id: string): void {
      if (stores.has(id)) state.setState({ activeId: id });
    },
    /** Ctrl+Tab / Ctrl+Shift+Tab: the next or previous tab, round the end. */
    cycle(step: 1 | -1): void {
      const { tabs, activeId } = state.getState();
      const at = tabs.findIndex((t) => t.id === activeId);
      state.setState({ activeId: tabs[(at + step + tabs.length) % tabs.length]!.id });
    },
    moveTab(id: string, index: number): void {
      state.setState((s) => {
        const from = s.tabs.findIndex((t) => t.id === id);
        const to = Math.max(0, Math.min(s.tabs.length - 1, index));
        if (from < 0 || from === to) return s;
        const tabs = s.tabs.slice();
        tabs.splice(to, 0, ...tabs.splice(from, 1));
        return { tabs };
      });
    },
    setViewport: (id: string, viewport: Viewport) => patch(id, { viewport }),
    setSeedMode: (id: string, seedMode: SeedMode) => patch(id, { seedMode }),
    /** The tab edits this saved revision; `workflow`, when given, is what was saved (its unchanged state now). */
    markSaved(id: string, saved: { savedId: string; savedRevision: number }, workflow?: Workflow): void {
      if (workflow) baselines.set(id, workflow);
      patch(id, { ...saved, dirty: stores.get(id)?.getState().workflow !== baselines.get(id) });
    },
    /** A saved workflow was deleted: a tab editing it is unsaved work again. */
    forgetSaved(savedId: string): void {
      const tab = state.getState().tabs.find((t) => t.savedId === savedId);
      if (!tab) return;
      baselines.set(tab.id, undefined);
      const { savedId: _id, savedRevision: _rev, ...rest } = tab;
      state.setState((s) => ({ tabs: s.tabs.map((x) => (x.id === tab.id ? { ...rest, dirty: true } : x)) }));
    },
  };
}

export type TabManager = ReturnType<typeof createTabManager>;
