import type { Workflow } from '../graph/workflow-schema';
import { rekeyJobs } from './job-reducer';
import { idleRun, isRunActive } from './run-reducer';
import type { GetState, SetState, SliceContext } from './store-types';

/**
 * The open document: one workflow being edited, with its undo history and its run state. The
 * run view (`run`, `results`, `pendingRun`) always belongs to `documentId`: a run started in a
 * document folds its events into it only while that document is open, and opening another
 * document starts from no run state. Paid jobs (`jobs`) are the ledger's and outlive documents;
 * they show on a node of any document whose cache key is their work.
 */
export interface DocumentSlice {
  /** Which document the workflow and the run view belong to; new on every New, open or template. */
  documentId: string;
  /**
   * Opens `workflow` as a new document in place of the current one (New, a file, a template, a
   * history entry): a new document id, nothing of the old run view, cached results of its own
   * work shown. One undo step (the workflow only). Refused, with a notice, while a run is going:
   * its paid jobs would keep running with nothing on screen to follow or stop them.
   */
  openDocument(workflow: Workflow): boolean;
}

/** A document id that never repeats (tabs and reloads included). */
export function newDocumentId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return `doc-${c?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`}`;
}

export function createDocumentSlice(set: SetState, get: GetState, ctx: SliceContext, documentId: string): DocumentSlice {
  return {
    documentId,

    openDocument(workflow) {
      const s = get();
      if (isRunActive(s.run)) {
        s.notify('A run is going: let it finish, or press Stop, before opening another workflow.', 'error');
        return false;
      }
      ctx.ids.see(workflow);
      const analysis = ctx.analyzeNow(workflow);
      // Jobs that are going on or need the user show on the new document's nodes doing their work.
      const view = rekeyJobs({ run: idleRun, results: {}, jobs: s.jobs }, new Map(), ctx.jobContext({ workflow, analysis }));
      ctx.history.close();
      ctx.history.tag(null);
      set({ documentId: newDocumentId(), workflow, analysis, run: view.run, results: view.results, pendingRun: null });
      void get().hydrateResults();
      return true;
    },
  };
}
