import type { RunPlan } from '../engine/plan';

/**
 * The plan without `leftOut` and everything downstream of them: the run the user chose when
 * they did not pay again for some nodes' earlier attempts. The executor never sees those nodes,
 * so nothing waits on an input that will not come.
 */
export function withoutNodes(plan: RunPlan, leftOut: Iterable<string>): { plan: RunPlan; removed: string[] } {
  const removed = new Set<string>();
  for (const id of leftOut) if (plan.nodes.has(id)) removed.add(id);
  if (removed.size === 0) return { plan, removed: [] };
  // Upstream comes before downstream in run order, so one pass finds every dependant.
  for (const id of plan.order) {
    if (removed.has(id)) continue;
    if (plan.nodes.get(id)?.upstream.some((u) => removed.has(u))) removed.add(id);
  }
  const nodes = new Map([...plan.nodes].filter(([id]) => !removed.has(id)));
  return { plan: { ...plan, order: plan.order.filter((id) => !removed.has(id)), nodes }, removed: plan.order.filter((id) => removed.has(id)) };
}
