import { useSyncExternalStore } from 'react';
import type { BatchStore } from '../../store/batch-store';

/**
 * The window's batch store, loaded on first use: the batch engine (rows, checks, runner, table)
 * is not part of the editor's first screen. `current()` is there once loaded (or when a batch
 * left running before a reload was continued at start-up).
 */
export interface BatchAccess {
  current(): BatchStore | undefined;
  load(): Promise<BatchStore>;
  subscribe(listener: () => void): () => void;
}

/** A BatchAccess that makes the store once, with `make`, the first time it is needed. */
export function batchAccess(make: () => Promise<BatchStore>, initial?: BatchStore): BatchAccess {
  let store = initial;
  let loading: Promise<BatchStore> | undefined;
  const listeners = new Set<() => void>();
  return {
    current: () => store,
    load() {
      if (store) return Promise.resolve(store);
      loading ??= make().then((made) => {
        store = made;
        for (const l of listeners) l();
        return made;
      });
      return loading;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The batch store once it is loaded (re-renders when it arrives), else undefined. */
export function useLoadedBatches(access: BatchAccess | undefined): BatchStore | undefined {
  return useSyncExternalStore(
    (fn) => access?.subscribe(fn) ?? (() => undefined),
    () => access?.current(),
  );
}
