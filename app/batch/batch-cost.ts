import { estimateCost, type EstimateDeps } from '../engine/estimate-cost';
import type { RunPlan } from '../engine';

/** What one row would cost now (the most: price × max outputs per paid job), cache- and ledger-aware. */
export interface RowCost {
  /** Undefined when some job pays and the price is unknown. */
  maxUsd: number | undefined;
  /** Jobs the row would submit. */
  paidJobs: number;
  /** Jobs whose result is stored, cached or in flight: $0. */
  reusedJobs: number;
  /** Earlier attempts that may have been billed: paying again needs the user's explicit choice. */
  blocked: { nodeId: string; jobId: string; state: string; requestId?: string }[];
  priceError?: string;
}

/** A row already done (batch.json, same fingerprint): nothing runs, nothing is paid. */
export const DONE_COST: RowCost = { maxUsd: 0, paidJobs: 0, reusedJobs: 0, blocked: [] };

/** The row's cost: the engine's estimate (cache, then ledger, per paid node) summed up. */
export async function estimateRowCost(plan: RunPlan, deps: EstimateDeps, signal?: AbortSignal): Promise<RowCost> {
  const e = await estimateCost(plan, deps, signal);
  return {
    maxUsd: e.totalUsd,
    paidJobs: e.paidJobs,
    reusedJobs: e.items.filter((i) => i.status !== 'pay' && i.status !== 'blocked').length,
    blocked: e.blocked.flatMap((b) => (b.job ? [{ nodeId: b.nodeId, ...b.job }] : [])),
    ...(e.priceError ? { priceError: e.priceError } : {}),
  };
}

/** The batch's most: the sum over rows, undefined when any row's price is unknown. */
export function batchMaxUsd(costs: Iterable<RowCost>): number | undefined {
  let total = 0;
  for (const c of costs) {
    if (c.maxUsd === undefined) return undefined;
    total += c.maxUsd;
  }
  return Math.round(total * 1e6) / 1e6;
}

/** One catalog read per model for the whole batch (the estimate asks once per row otherwise); a failed read is asked again. */
export function memoizePrice(priceUsd: EstimateDeps['priceUsd']): EstimateDeps['priceUsd'] {
  const known = new Map<string, Promise<number | undefined>>();
  return (model, signal) => {
    let p = known.get(model);
    if (!p) {
      p = priceUsd(model, signal);
      known.set(model, p);
      p.catch(() => known.delete(model));
    }
    return p;
  };
}
