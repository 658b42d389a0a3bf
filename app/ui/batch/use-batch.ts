import { useStore } from 'zustand';
import type { BatchSession } from '../../store/batch-session';
import type { BatchState, BatchStore } from '../../store/batch-store';
import { useServices } from '../studio-context';

/** This tab's batch store; the Batch components are only drawn where there is one. */
export function useBatchStore(): BatchStore {
  const batches = useServices().batches?.current();
  if (!batches) throw new Error('useBatchStore needs UiServices.batches, loaded');
  return batches;
}

/** One narrow piece of the batch state (the component re-renders only when it changes). */
export function useBatch<T>(selector: (s: BatchState) => T): T {
  return useStore(useBatchStore().store, selector);
}

/** One piece of the batch being shown; the Batch dialog is only drawn while there is one. */
export function useSession<T>(selector: (s: BatchSession) => T): T {
  return useStore(useBatchStore().store, (st) => selector(st.session!));
}
