import type { CostEstimate } from './cost';
import type { PlanLike } from './engine-port';

/**
 * A Seedream node whose work is already in flight (re-attached after a reload, or still being
 * collected after a stop) is not submitted again: the journal joins the running job. It costs
 * nothing more, so the estimate says so instead of asking to pay for it twice.
 */
export function withJobsInFlight(estimate: CostEstimate, plan: PlanLike, inFlightKeys: readonly string[]): CostEstimate {
  if (inFlightKeys.length === 0) return estimate;
  const running = new Set(inFlightKeys);
  const items = estimate.items.map((item) => {
    const key = plan.nodes.get(item.nodeId)?.cacheKey;
    return !item.cached && key !== undefined && running.has(key) ? { ...item, inFlight: true, costUsd: 0 } : item;
  });
  const paidJobs = items.filter((i) => !i.cached && !i.inFlight).length;
  const totalUsd = items.every((i) => i.costUsd !== undefined) ? items.reduce((s, i) => s + (i.costUsd ?? 0), 0) : undefined;
  return { ...estimate, items, paidJobs, totalUsd };
}
