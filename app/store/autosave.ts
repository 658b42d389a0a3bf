import { loadWorkflow } from '../graph/load-workflow';
import type { Issue } from '../graph/issues';
import type { NodeRegistry } from '../graph/registry';
import type { Workflow } from '../graph/workflow-schema';
import type { StudioStore } from './create-store';

/** Where the current workflow is kept between reloads (IndexedDB in the browser). */
export interface WorkflowStorage {
  /** The saved workflow's raw data, or undefined when nothing was saved yet. */
  load(): Promise<unknown>;
  save(workflow: Workflow): Promise<void>;
}

export interface AutosaveOptions {
  /** At most one save per this many ms while editing. */
  intervalMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  now?: () => number;
}

export interface Autosave {
  /** Saves now if anything is unsaved (drag end, page hide). */
  flush(): Promise<void>;
  /** Resolves when no save is in flight or scheduled (tests). */
  idle(): Promise<void>;
  dispose(): void;
}

/**
 * Saves the workflow after edits: at most once per `intervalMs` (so a drag does not write on
 * every frame) and at once when a drag ends. A failed save (quota, private mode) sets the
 * store's storage warning, which stays until a save succeeds; memory is never touched.
 */
export function attachAutosave(store: StudioStore, storage: WorkflowStorage, options: AutosaveOptions = {}): Autosave {
  const intervalMs = options.intervalMs ?? 500;
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const now = options.now ?? Date.now;

  let saved: Workflow = store.getState().workflow;
  let lastSaveAt = Number.NEGATIVE_INFINITY;
  let timer: unknown = null;
  let inFlight: Promise<void> | null = null;

  const save = async (): Promise<void> => {
    if (timer !== null) {
      clearTimer(timer);
      timer = null;
    }
    if (inFlight) {
      await inFlight;
      return save();
    }
    const workflow = store.getState().workflow;
    if (workflow === saved) return;
    lastSaveAt = now();
    inFlight = startSave(storage, workflow)
      .then(
        () => {
          saved = workflow;
          store.getState().setStorageError(null);
        },
        (err: unknown) => {
          store.getState().setStorageError(storageMessage(err));
        },
      )
      .finally(() => {
        inFlight = null;
      });
    await inFlight;
  };

  const schedule = () => {
    if (timer !== null) return;
    const wait = Math.max(0, lastSaveAt + intervalMs - now());
    timer = setTimer(() => {
      timer = null;
      void save();
    }, wait);
  };

  const unsubscribe = store.subscribe((s, prev) => {
    if (prev.dragging && !s.dragging) void save();
    else if (s.workflow !== prev.workflow && s.workflow !== saved) schedule();
  });

  return {
    flush: save,
    async idle() {
      while (timer !== null || inFlight) {
        if (inFlight) await inFlight;
        else await save();
      }
    },
    dispose() {
      unsubscribe();
      if (timer !== null) clearTimer(timer);
      timer = null;
    },
  };
}

/** The storage's save as a promise, even when it throws before returning one (eager serialising). */
function startSave(storage: WorkflowStorage, workflow: Workflow): Promise<void> {
  try {
    return storage.save(workflow);
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

function storageMessage(err: unknown): string {
  const name = err instanceof Error ? err.name : '';
  const detail = err instanceof Error ? err.message : String(err);
  if (name === 'QuotaExceededError') {
    return 'Browser storage is full: your workflow is not being saved. Free some space or export it as a file.';
  }
  return `Your workflow could not be saved in this browser (${detail}). Nothing is lost while this tab stays open.`;
}

/**
 * Reads the saved workflow back, migrated and repaired. Undefined when nothing usable was
 * saved; the issues say what was repaired or why it could not be read.
 */
export async function restoreWorkflow(storage: WorkflowStorage, registry: NodeRegistry): Promise<{ workflow: Workflow | undefined; issues: Issue[] }> {
  let raw: unknown;
  try {
    raw = await storage.load();
  } catch (err) {
    const message = `The saved workflow could not be read: ${err instanceof Error ? err.message : String(err)}`;
    return { workflow: undefined, issues: [{ severity: 'error', code: 'storage-read', message }] };
  }
  if (raw === undefined) return { workflow: undefined, issues: [] };
  const loaded = loadWorkflow(raw, registry);
  return loaded.ok ? { workflow: loaded.workflow, issues: loaded.issues } : { workflow: undefined, issues: loaded.issues };
}
