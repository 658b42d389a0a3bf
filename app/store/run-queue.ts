import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CostEstimate } from '../engine/estimate-cost';
import type { Workflow } from '../graph/workflow-schema';
import type { AcceptedEstimate, RunRecord } from './run-record';

/**
 * Where a queued run is: waiting its turn, running, ended, or waiting for the user's OK again.
 * `refused`: its graph did not pass the checks before paying, so nothing ran (not a failure of a run).
 */
export type QueueStatus = 'pending' | 'running' | 'done' | 'failed' | 'refused' | 'stopped' | 'cancelled' | 'needs-ok';

/** A run the user accepted, as a tab hands it to the queue. */
export interface AcceptedRun {
  /** The graph as it was when the run was asked for (edits made since do not change it). */
  workflow: Workflow;
  targets?: readonly string[];
  /** The document of the tab it was asked in: its events show there only while that document is open. */
  documentId: string;
  /** What the user accepted: when its turn comes and it would cost more, it waits for a new OK instead. */
  accepted: AcceptedEstimate;
  /** The seeds of this snapshot (seed control of Queue ×N), in node order. */
  seeds?: readonly number[];
  /** Which of a Queue ×N it is ("2 of 3"). */
  label?: string;
  /** A run a reload interrupted: continued as recorded, never planned or asked again. */
  continued?: RunRecord;
}

export interface QueueItem extends AcceptedRun {
  id: string;
  /** The editor tab the run belongs to. */
  tabId: string;
  /** The tab's workflow name when it was queued. */
  title: string;
  status: QueueStatus;
  /** Why it ended so, or what it waits for. */
  note?: string;
  /** needs-ok: what it would cost now, to show in the cost dialog. */
  recheck?: CostEstimate;
}

/** How a run went, as the tab that ran it says. */
export type QueueOutcome =
  { status: 'done' | 'failed' | 'refused' | 'stopped' | 'cancelled'; note?: string } | { status: 'needs-ok'; estimate: CostEstimate; note: string };

/** Runs queue items in their tabs. */
export interface QueueRunner {
  /** Runs one item to its end; resolves with how it went. */
  run(item: QueueItem): Promise<QueueOutcome>;
  /** The Stop button of the running item (the run's own Stop). */
  stop(item: QueueItem): void;
}

export interface RunQueueState {
  /** Pending and running items in run order, then the most recent ended ones (newest first). */
  items: readonly QueueItem[];
}

/** Ended items kept for the panel. */
const KEEP_ENDED = 12;

const isEnded = (i: QueueItem) => i.status !== 'pending' && i.status !== 'running' && i.status !== 'needs-ok';

/**
 * The run queue: one run at a time across every tab, as in ComfyUI. Items run in order; a pending
 * one can be cancelled or moved; the running one is stopped with its tab's Stop. A run whose cost
 * went up since it was accepted is not run: it waits for the user's OK (`needs-ok`) and the queue
 * goes on with the next.
 */
export function createRunQueue(runner: QueueRunner, options: { newId?: () => string } = {}) {
  let n = 0;
  const newId = options.newId ?? (() => `q${++n}`);
  const store: StoreApi<RunQueueState> = createStore<RunQueueState>()(() => ({ items: [] }));
  let current: Promise<void> | null = null;
  const waiters = new Set<() => void>();

  const items = () => store.getState().items;
  const patch = (id: string, change: Partial<QueueItem>) =>
    store.setState((s) => ({ items: s.items.map((i) => (i.id === id ? ({ ...i, ...change } as QueueItem) : i)) }));
  /** Active items first (in order), ended ones after, newest first, at most KEEP_ENDED. */
  const settle = (list: readonly QueueItem[]) => [...list.filter((i) => !isEnded(i)), ...list.filter(isEnded).slice(0, KEEP_ENDED)];

  const finish = (id: string, outcome: QueueOutcome) => {
    store.setState((s) => {
      const item = s.items.find((i) => i.id === id);
      if (!item) return s;
      const ended: QueueItem = {
        ...item,
        status: outcome.status,
        ...(outcome.note ? { note: outcome.note } : {}),
        ...(outcome.status === 'needs-ok' ? { recheck: outcome.estimate } : {}),
      };
      const rest = s.items.filter((i) => i.id !== id);
      // An ended item goes to the top of the ended ones; one waiting for an OK keeps its place among the active.
      return {
        items: settle(
          outcome.status === 'needs-ok' ? s.items.map((i) => (i.id === id ? ended : i)) : [...rest.filter((i) => !isEnded(i)), ended, ...rest.filter(isEnded)],
        ),
      };
    });
  };

  const pump = () => {
    if (current) return;
    const next = items().find((i) => i.status === 'pending');
    if (!next) {
      waiters.forEach((w) => w());
      waiters.clear();
      return;
    }
    patch(next.id, { status: 'running' });
    const running = { ...next, status: 'running' as const };
    current = runner
      .run(running)
      .then(
        (outcome) => finish(next.id, outcome),
        (err: unknown) => finish(next.id, { status: 'failed', note: err instanceof Error ? err.message : String(err) }),
      )
      .finally(() => {
        current = null;
        pump();
      });
  };
  const schedule = () => queueMicrotask(pump);

  return {
    store,
    /** Adds accepted runs of a tab at the end, in order; the first starts at once when nothing runs. */
    add(tabId: string, title: string, runs: readonly AcceptedRun[]): QueueItem[] {
      const added = runs.map((r): QueueItem => ({ ...r, id: newId(), tabId, title, status: 'pending' }));
      store.setState((s) => ({ items: settle([...s.items.filter((i) => !isEnded(i)), ...added, ...s.items.filter(isEnded)]) }));
      schedule();
      return added;
    },
    /** Removes a pending run (or one waiting for an OK) before it starts; false when it already started. */
    cancel(id: string): boolean {
      const item = items().find((i) => i.id === id);
      if (!item || (item.status !== 'pending' && item.status !== 'needs-ok')) return false;
      finish(id, { status: 'cancelled', note: 'Cancelled before it started: nothing was paid.' });
      schedule();
      return true;
    },
    /** Moves a pending run to `index` among the pending ones. */
    move(id: string, index: number): void {
      store.setState((s) => {
        const pending = s.items.filter((i) => i.status === 'pending');
        const from = pending.findIndex((i) => i.id === id);
        if (from < 0) return s;
        const to = Math.max(0, Math.min(pending.length - 1, index));
        if (to === from) return s;
        const reordered = pending.slice();
        reordered.splice(to, 0, ...reordered.splice(from, 1));
        let k = 0;
        return { items: s.items.map((i) => (i.status === 'pending' ? reordered[k++]! : i)) };
      });
    },
    /** Stops the running run (its tab's Stop: queued paid jobs cancelled, running ones collected). */
    stopRunning(): void {
      const item = items().find((i) => i.status === 'running');
      if (item) runner.stop(item);
    },
    /** A run that waited for an OK was accepted again at its new cost: it waits its turn again. */
    reaccept(id: string, accepted: AcceptedEstimate): void {
      const item = items().find((i) => i.id === id);
      if (item?.status !== 'needs-ok') return;
      const { recheck: _old, note: _note, ...rest } = item;
      store.setState((s) => ({ items: s.items.map((i) => (i.id === id ? { ...rest, accepted, status: 'pending' as const } : i)) }));
      schedule();
    },
    /** A tab was closed: its runs that did not start are removed (nothing was paid for them). Returns how many. */
    dropTab(tabId: string): number {
      const dropped = items().filter((i) => i.tabId === tabId && (i.status === 'pending' || i.status === 'needs-ok'));
      for (const i of dropped) finish(i.id, { status: 'cancelled', note: 'Its tab was closed before it started: nothing was paid.' });
      return dropped.length;
    },
    clearEnded(): void {
      store.setState((s) => ({ items: s.items.filter((i) => !isEnded(i)) }));
    },
    /** A run is going or waiting its turn: a new one queues behind. */
    busy: (): boolean => items().some((i) => i.status === 'pending' || i.status === 'running'),
    running: (): QueueItem | undefined => items().find((i) => i.status === 'running'),
    /** Runs of a tab that are waiting or running. */
    ofTab: (tabId: string): QueueItem[] => items().filter((i) => i.tabId === tabId && !isEnded(i)),
    /** Resolves when nothing runs or waits its turn (tests; reload checkpoints). */
    idle(): Promise<void> {
      if (!current && !items().some((i) => i.status === 'pending')) return Promise.resolve();
      return new Promise((resolve) => waiters.add(resolve));
    },
  };
}

export type RunQueue = ReturnType<typeof createRunQueue>;
