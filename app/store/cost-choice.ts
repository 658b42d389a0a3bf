import type { CostEstimate, CostItem } from '../engine/estimate-cost';
import type { AcceptedEstimate } from './run-record';

/** What paying again for a blocked item costs: price × its max outputs, undefined when the price is unknown. */
export function repayCostUsd(estimate: CostEstimate, item: CostItem): number | undefined {
  return estimate.priceUsd === undefined ? undefined : Math.round(estimate.priceUsd * item.maxOutputs * 1e6) / 1e6;
}

/** The blocked items the user chose to pay again for (by earlier job id). */
const chosenItems = (estimate: CostEstimate, repay: ReadonlySet<string>) => estimate.blocked.filter((b) => b.job && repay.has(b.job.jobId));

/** The most the run costs with these earlier attempts paid again; undefined when a price is unknown. */
export function totalWithRepay(estimate: CostEstimate, repay: ReadonlySet<string>): number | undefined {
  let total = estimate.totalUsd;
  for (const item of chosenItems(estimate, repay)) {
    const extra = repayCostUsd(estimate, item);
    total = total === undefined || extra === undefined ? undefined : Math.round((total + extra) * 1e6) / 1e6;
  }
  return total;
}

/** What the user accepted, as kept with the run. */
export function acceptedEstimate(estimate: CostEstimate, repay: ReadonlySet<string>): AcceptedEstimate {
  const total = totalWithRepay(estimate, repay);
  return {
    ...(total !== undefined ? { totalUsd: total } : {}),
    paidJobs: estimate.paidJobs + chosenItems(estimate, repay).length,
    repay: chosenItems(estimate, repay).map((b) => b.job!.jobId),
  };
}
