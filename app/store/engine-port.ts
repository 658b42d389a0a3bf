import type { Issue } from '../graph/issues';
import type { NodeRegistry } from '../graph/registry';
import type { Workflow } from '../graph/workflow-schema';
import type { RunSummary } from '../engine/events';
import type { RunOptions, RunServices } from '../engine/run-graph';

/**
 * What the store needs from the executor, as the engine's own functions are shaped. The
 * composition root passes the real `planRun` and `runGraph`; tests may
 * pass the same ones or fakes. Keeping it a port lets the store be built and tested alone.
 */
export interface StudioEngine {
  planRun(workflow: Workflow, registry: NodeRegistry, options?: { targets?: readonly string[] }): PlanLike;
  runGraph(workflow: Workflow, registry: NodeRegistry, services: RunServices, options: RunOptions): Promise<RunSummary>;
}

/** The part of the planner's answer the editor reads. */
export interface PlanLike {
  ok: boolean;
  issues: readonly Issue[];
  order: readonly string[];
  nodes: ReadonlyMap<string, { cacheKey: string }>;
}

export type { RunServices, RunOptions };

/** The catalog price of a model, for cost estimates. */
export interface PriceSource {
  /** USD per output image (`base_price_usd`), or undefined when the catalog does not say. */
  priceUsd(modelId: string, signal?: AbortSignal): Promise<number | undefined>;
}
