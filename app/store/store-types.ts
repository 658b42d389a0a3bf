import type { Issue } from '../graph/issues';
import type { NodeRegistry } from '../graph/registry';
import type { Workflow } from '../graph/workflow-schema';
import type { CacheStore } from '../engine/cache';
import type { DocumentSlice } from './document-slice';
import type { GraphSlice } from './graph-slice';
import type { HistoryGrouper } from './history';
import type { IdAllocator } from './id-allocator';
import type { JobContext } from './job-reducer';
import type { JobView } from './run-reducer';
import type { AcceptedRun } from './run-queue';
import type { AcceptedEstimate } from './run-record';
import type { LedgerPort } from './ledger-port';
import type { RunRecordStore } from './run-record';
import type { RunSnapshots } from './run-snapshots';
import type { RunSlice } from './run-slice';
import type { SessionSlice } from './session-slice';
import type { UiSlice } from './ui-slice';
import type { PriceSource, RunServices, StudioEngine } from './engine-port';
import type { StudioStore } from './create-store';

/** What the planner found about the current workflow, recomputed when its structure changes. */
export interface Analysis {
  /** Per node: its issues (warnings and errors), with a stable array while they do not change. */
  issuesByNode: ReadonlyMap<string, readonly Issue[]>;
  /** Issues not tied to a node (cycles, empty graph). */
  globalIssues: readonly Issue[];
  /** Per node: the cache key its result would have now (compare with a result's key: stale). */
  cacheKeys: ReadonlyMap<string, string>;
}

export interface AnalysisSlice {
  analysis: Analysis;
}

export type StudioState = DocumentSlice & GraphSlice & RunSlice & UiSlice & AnalysisSlice & SessionSlice;

export type SetState = (partial: Partial<StudioState> | ((s: StudioState) => Partial<StudioState>)) => void;
export type GetState = () => StudioState;

/** What the store is built from: the registry, the engine, and the services a run uses. */
export interface StudioDeps {
  registry: NodeRegistry;
  engine: StudioEngine;
  services: RunServices;
  /** Results kept between runs (and across reloads when persistent). */
  cache: CacheStore;
  pricing: PriceSource;
  /** Time for undo grouping; defaults to `Date.now`. */
  now?: () => number;
  /** Defers planner work after an edit; defaults to running at once (tests). */
  defer?: (fn: () => void) => void;
  /** The first workflow; defaults to empty. */
  workflow?: Workflow;
  concurrency?: number;
  /** The job ledger (the same one `services.generation` runs through): its updates drive node status. */
  ledger?: LedgerPort;
  /** Where the run in progress is kept, so a reload continues it. */
  runs?: RunRecordStore;
  /** Wall-clock ms (run records); defaults to `Date.now`. */
  wallNow?: () => number;
  /** The workflows of recent runs (shared with the output sink and the history); a fresh log by default. */
  snapshots?: RunSnapshots;
  /** The first document's id; a new one by default. */
  documentId?: string;
  /** Where new node and edge ids come from; share one between stores so documents open side by side never repeat ids. */
  ids?: IdAllocator;
  /**
   * The run queue this store's runs go through (one run at a time across tabs): with it, Run
   * while a run is going queues the next run instead of doing nothing, and every run starts
   * when its turn comes. Without it, runs start at once (one store alone, tests).
   */
  queue?: RunQueuePort;
  /** The tabs this store is one of: opening a workflow (file, template, history) opens it in a tab of its own. */
  tabs?: TabHost;
  /** Paid jobs already known (from the other tabs), shown on this document's nodes doing their work. */
  jobs?: Readonly<Record<string, JobView>>;
  /** [0, 1) for randomized seeds; `Math.random` by default. */
  random?: () => number;
}

/** What a store sees of the run queue, for its own tab. */
export interface RunQueuePort {
  /** A run is going or waiting its turn somewhere: a new one waits behind it. */
  busy(): boolean;
  /** Queues runs the user accepted, in order. */
  add(runs: readonly AcceptedRun[]): void;
  /** A queued run whose cost went up was accepted again at its new cost. */
  reaccept(itemId: string, accepted: AcceptedEstimate): void;
}

/** What a store sees of the tabs it is one of. */
export interface TabHost {
  /**
   * Opens `workflow` in a tab and shows it, returning that tab's store: a new tab, or the shown
   * tab when it is an untouched empty one (`fresh` always makes a new one, as New does).
   */
  openInTab(workflow: Workflow, options?: { title?: string; fresh?: boolean }): StudioStore;
}

/** Per-slice context: the deps plus the undo grouper shared by all graph actions. */
export interface SliceContext {
  deps: StudioDeps;
  history: HistoryGrouper;
  /** Forgets every undo step (bound once the store exists). */
  clearHistory: () => void;
  /** What the job reducer needs to know about the workflow on screen. */
  jobContext(s: Pick<StudioState, 'analysis' | 'workflow'>): JobContext;
  snapshots: RunSnapshots;
  ids: IdAllocator;
  /** Plans `workflow` now (a document being opened) and counts it as analysed. */
  analyzeNow(workflow: Workflow): Analysis;
}
