import type { CachedResult } from '../engine/cache';
import type { JournaledSeedream, JournalEntry } from '../engine/seedream-journal';
import type { NodeRunState } from './run-reducer';
import { doneMessage, lostJobOf, nodeForEntry, resumedJobOf, viewsByNode, withProgress, withReport, type LostJob, type ResumedJob } from './resumed-jobs';
import type { GetState, SetState, SliceContext } from './store-types';

/** What the store needs of the request journal (see engine/seedream-journal). */
export interface JobJournalPort {
  list(): Promise<JournalEntry[]>;
  resumeAll: JournaledSeedream['resumeAll'];
  dismiss(requestId: string): Promise<void>;
  /** Cache keys with a paid job in flight: a run joins those instead of submitting (and paying) again. */
  inFlightKeys?(): string[];
}

/** Another tab saved a newer revision of the workflow this tab edits. */
export interface OtherTabChange {
  revision: number;
  /** Wall-clock ms of their save. */
  savedAt: number;
}

/**
 * What this session learned from outside its own runs: paid jobs re-attached after a reload,
 * requests the API has forgotten (lost), changes made in another tab. Never undoable, never
 * persisted with the workflow (the journal and the workflow revision are persisted elsewhere).
 */
export interface SessionSlice {
  resumedJobs: Readonly<Record<string, ResumedJob>>;
  /** Run-state views of re-attached jobs by node id (badges read `run.nodes[id] ?? resumedViews[id]`). */
  resumedViews: Readonly<Record<string, NodeRunState>>;
  lostJobs: readonly LostJob[];
  otherTab: OtherTabChange | null;
  /** Bumped whenever a history entry is recorded, so open galleries refresh. */
  historyRevision: number;
  /**
   * Re-attaches to every paid job the journal holds (polling only, never submitting): progress
   * shows on the node whose current cache key matches; results land in the cache and on the
   * node; requests the API no longer knows become lost markers.
   */
  resumeJobs(signal?: AbortSignal): Promise<void>;
  /** The journal cached a result (called for every journaled result; only re-attached ones matter here). */
  resumedResultArrived(cacheKey: string, result: CachedResult): void;
  /** Forgets a lost request once the user has seen it. */
  dismissLost(requestId: string): Promise<void>;
  setOtherTab(change: OtherTabChange | null): void;
  noteHistoryChanged(): void;
}

export function createSessionSlice(set: SetState, get: GetState, ctx: SliceContext): SessionSlice {
  const putJob = (job: ResumedJob) =>
    set((s) => {
      const resumedJobs = { ...s.resumedJobs, [job.requestId]: job };
      return { resumedJobs, resumedViews: viewsByNode(resumedJobs, s.resumedViews) };
    });

  const showResult = (job: ResumedJob, result: CachedResult) => {
    const done: ResumedJob = { ...job, status: 'done', phase: undefined, queuePosition: undefined, message: doneMessage(job), result };
    set((s) => {
      const resumedJobs = { ...s.resumedJobs, [job.requestId]: done };
      const results = job.nodeId ? { ...s.results, [job.nodeId]: { ...result, cacheKey: job.cacheKey, cached: false } } : s.results;
      return { resumedJobs, resumedViews: viewsByNode(resumedJobs, s.resumedViews), results };
    });
  };

  return {
    resumedJobs: {},
    resumedViews: {},
    lostJobs: [],
    otherTab: null,
    historyRevision: 0,

    async resumeJobs(signal = new AbortController().signal) {
      const port = ctx.deps.journal;
      if (!port) return;
      let entries: JournalEntry[];
      try {
        entries = await port.list();
      } catch (err) {
        get().notify(`The list of paid jobs in flight could not be read: ${err instanceof Error ? err.message : String(err)}`, 'error');
        return;
      }
      if (entries.length === 0) return;
      const { analysis, workflow } = get();
      const lost: LostJob[] = [];
      for (const entry of entries) {
        const nodeId = nodeForEntry(entry, analysis.cacheKeys, workflow);
        if (entry.status === 'lost') lost.push(lostJobOf(entry, nodeId));
        else putJob(resumedJobOf(entry, nodeId));
      }
      if (lost.length) set((s) => ({ lostJobs: [...s.lostJobs.filter((l) => !lost.some((x) => x.requestId === l.requestId)), ...lost] }));

      const reports = await port.resumeAll({
        signal,
        onProgress: (entry, detail, message) => {
          const job = get().resumedJobs[entry.requestId];
          if (job) putJob(withProgress(job, detail, message));
        },
      });
      for (const report of reports) {
        const job = get().resumedJobs[report.entry.requestId];
        if (report.outcome === 'lost') {
          const nodeId = job?.nodeId ?? nodeForEntry(report.entry, get().analysis.cacheKeys, get().workflow);
          const lostJob = lostJobOf(report.entry, nodeId, report.message);
          set((s) => {
            const { [report.entry.requestId]: _gone, ...resumedJobs } = s.resumedJobs;
            return {
              resumedJobs,
              resumedViews: viewsByNode(resumedJobs, s.resumedViews),
              lostJobs: [...s.lostJobs.filter((l) => l.requestId !== lostJob.requestId), lostJob],
            };
          });
          continue;
        }
        if (!job) continue;
        if (report.outcome === 'completed' && job.status !== 'done') {
          // The journal cached it before reporting; read it back so the node shows exactly what is stored.
          const cached = await ctx.deps.cache.get(job.cacheKey).catch(() => undefined);
          if (cached) showResult(job, cached);
          else putJob(withReport(job, report));
        } else if (report.outcome !== 'completed') putJob(withReport(job, report));
      }
    },

    resumedResultArrived(cacheKey, result) {
      const job = Object.values(get().resumedJobs).find((j) => j.cacheKey === cacheKey && j.status !== 'done');
      if (job) showResult(job, result);
    },

    async dismissLost(requestId) {
      await ctx.deps.journal?.dismiss(requestId);
      set((s) => ({ lostJobs: s.lostJobs.filter((l) => l.requestId !== requestId) }));
    },

    setOtherTab(otherTab) {
      set({ otherTab });
    },

    noteHistoryChanged() {
      set((s) => ({ historyRevision: s.historyRevision + 1 }));
    },
  };
}
