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

/** How long a memoised price is used (`memoizePrice`): a worker serves many batches, so it reads the catalog again after this. */
export interface PriceMemoOptions {
  /** Milliseconds a read price is used for (default: for as long as the memo lives). */
  ttlMs?: number;
  now?: () => number;
}

/**
 * One catalog read per model for the whole batch (the estimate asks once per row otherwise); a
 * failed read is asked again. With `ttlMs`, a price read longer ago than that is read again.
 */
export function memoizePrice(priceUsd: EstimateDeps['priceUsd'], o: PriceMemoOptions = {}): EstimateDeps['priceUsd'] {
  const known = new Map<string, { at: number; price: Promise<number | undefined> }>();
  const now = o.now ?? Date.now;
  return (model, signal) => {
    const hit = known.get(model);
    if (hit && (o.ttlMs === undefined || now() - hit.at < o.ttlMs)) return hit.price;
    const entry = { at: now(), price: priceUsd(model, signal) };
    known.set(model, entry);
    entry.price.catch(() => known.get(model) === entry && known.delete(model));
    return entry.price;
  };
}
