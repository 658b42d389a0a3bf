import type { SetState } from './store-types';

/** Another tab saved a newer revision of the workflow this tab edits. */
export interface OtherTabChange {
  revision: number;
  /** Wall-clock ms of their save. */
  savedAt: number;
}

/**
 * What this session learned from outside its own edits: changes made in another tab, history
 * written. Never undoable, never persisted with the workflow. (Paid jobs, including those from
 * before a reload, are the run slice's, folded from the ledger's updates.)
 */
export interface SessionSlice {
  otherTab: OtherTabChange | null;
  /** Bumped whenever a history entry is recorded, so open galleries refresh. */
  historyRevision: number;
  setOtherTab(change: OtherTabChange | null): void;
  noteHistoryChanged(): void;
}

export function createSessionSlice(set: SetState): SessionSlice {
  return {
    otherTab: null,
    historyRevision: 0,
    setOtherTab(otherTab) {
      set({ otherTab });
    },
    noteHistoryChanged() {
      set((s) => ({ historyRevision: s.historyRevision + 1 }));
    },
  };
}
