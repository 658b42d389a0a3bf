import type { Issue } from '../graph/issues';
import type { NodeRegistry } from '../graph/registry';
import type { Workflow } from '../graph/workflow-schema';
import type { CacheStore } from '../engine/cache';
import type { DocumentSlice } from './document-slice';
import type { GraphSlice } from './graph-slice';
import type { HistoryGrouper } from './history';
import type { IdAllocator } from './id-allocator';
import type { JobContext } from './job-reducer';
import type { LedgerPort } from './ledger-port';
import type { RunRecordStore } from './run-record';
import type { RunSnapshots } from './run-snapshots';
import type { RunSlice } from './run-slice';
import type { SessionSlice } from './session-slice';
import type { UiSlice } from './ui-slice';
import type { PriceSource, RunServices, StudioEngine } from './engine-port';

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
