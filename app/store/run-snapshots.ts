import type { Workflow } from '../graph/workflow-schema';
import type { StudioStore } from './create-store';
import type { StudioEngine } from './engine-port';
import type { NodeRegistry } from '../graph/registry';

/** How many recent runs' workflows are kept to attribute late results. */
const KEEP = 4;

export interface RunSnapshots {
  /** The workflow the current (or last) run is running; what Save nodes embed in their PNGs. */
  current(): Workflow | undefined;
  /**
   * The graph that made a result: the newest of the recent runs' workflows (then the current
   * one) in which `nodeId` has `cacheKey`. Undefined when none does (it was edited since).
   */
  madeBy(nodeId: string, cacheKey: string): Workflow | undefined;
  dispose(): void;
}

/**
 * Remembers the workflow each run started with (the cost dialog's copy when it was confirmed),
 * because the canvas may be edited while a run is going: a result belongs to the graph that
 * was run, not to whatever is on screen when it arrives.
 */
export function trackRunSnapshots(store: StudioStore, registry: NodeRegistry, engine: Pick<StudioEngine, 'planRun'>): RunSnapshots {
  const recent: Workflow[] = [];
  const unsubscribe = store.subscribe((s, prev) => {
    if (s.run.phase !== 'starting' || prev.run.phase === 'starting') return;
    const workflow = prev.pendingRun?.workflow ?? s.workflow;
    if (recent[0] !== workflow) recent.unshift(workflow);
    recent.length = Math.min(recent.length, KEEP);
  });
  const keyOf = (workflow: Workflow, nodeId: string): string | undefined => {
    try {
      return engine.planRun(workflow, registry, { targets: [nodeId] }).nodes.get(nodeId)?.cacheKey;
    } catch {
      return undefined;
    }
  };
  return {
    current: () => recent[0],
    madeBy(nodeId, cacheKey) {
      const candidates = [...recent, store.getState().workflow];
      return candidates.find((wf) => wf.nodes.some((n) => n.id === nodeId) && keyOf(wf, nodeId) === cacheKey);
    },
    dispose: unsubscribe,
  };
}
