import type { Workflow } from '../graph/workflow-schema';

/** How many recent runs' workflows are kept to attribute late results. */
const KEEP = 8;

/** One run's workflow as it was planned, and how the run went, for attributing what it made. */
export interface RunShot {
  runId: string;
  /** The document it was run in. */
  documentId?: string;
  workflow: Workflow;
  /** Each planned node's cache key, from the run's own plan (nothing is planned again). */
  cacheKeys: ReadonlyMap<string, string>;
  /** Started before a reload and continued: its jobs were re-attached. */
  continued: boolean;
  /** Stop was pressed: what still arrives was collected after the stop. */
  stopped: boolean;
}

/**
 * The workflows of this page's recent runs. The canvas may be edited while a run is going: a
 * result belongs to the graph that was run (and a Save node's PNG embeds that graph), not to
 * whatever is on screen when it arrives. The run slice adds each run as it starts.
 */
export interface RunSnapshots {
  add(shot: Omit<RunShot, 'stopped'>): void;
  markStopped(runId: string): void;
  /** The workflow the current (or last) run is running. */
  current(): Workflow | undefined;
  /** The run with this id, when it is one of the recent runs of this page. */
  forRun(runId: string | undefined): RunShot | undefined;
  /** The newest recent run in which `nodeId` had `cacheKey`; undefined when none did (it was edited since). */
  madeBy(nodeId: string, cacheKey: string): Workflow | undefined;
}

export function createRunSnapshots(): RunSnapshots {
  const recent: RunShot[] = [];
  return {
    add(shot) {
      const i = recent.findIndex((r) => r.runId === shot.runId);
      if (i >= 0) recent.splice(i, 1);
      recent.unshift({ ...shot, stopped: false });
      recent.length = Math.min(recent.length, KEEP);
    },
    markStopped(runId) {
      const run = recent.find((r) => r.runId === runId);
      if (run) run.stopped = true;
    },
    current: () => recent[0]?.workflow,
    forRun: (runId) => (runId === undefined ? undefined : recent.find((r) => r.runId === runId)),
    madeBy: (nodeId, cacheKey) => recent.find((r) => r.cacheKeys.get(nodeId) === cacheKey)?.workflow,
  };
}
