import type { NodeRegistry } from '../graph/registry';
import type { Workflow } from '../graph/workflow-schema';
import type { RunSummary } from '../engine/events';
import type { RunPlan } from '../engine/plan';
import type { RunOptions, RunServices } from '../engine/run-graph';

/**
 * What the store needs from the executor, as the engine's own functions are shaped. The
 * composition root passes the real `planRun` and `executePlan`; tests may pass the same ones or
 * fakes. The store plans once per run (for the cost estimate) and executes that same plan.
 */
export interface StudioEngine {
  planRun(workflow: Workflow, registry: NodeRegistry, options?: { targets?: readonly string[] }): RunPlan;
  executePlan(plan: RunPlan, services: RunServices, options: RunOptions): Promise<RunSummary>;
}

export type { RunPlan, RunServices, RunOptions };

/** The catalog price of a model, for cost estimates. */
export interface PriceSource {
  /** USD per output image (`base_price_usd`), or undefined when the catalog does not say. */
  priceUsd(modelId: string, signal?: AbortSignal): Promise<number | undefined>;
}
