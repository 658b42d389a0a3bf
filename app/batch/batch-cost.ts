import { estimateCost, type EstimateDeps } from '../engine/estimate-cost';
import type { RunPlan } from '../engine';
import { abortReason } from '../lib/clock';

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
 * Callers share a read but not its abort: each stops waiting when its own signal aborts, and the
 * read itself is aborted only once every caller waiting for it has stopped (one row stopping
 * never fails the others' price).
 */
export function memoizePrice(priceUsd: EstimateDeps['priceUsd'], o: PriceMemoOptions = {}): EstimateDeps['priceUsd'] {
  interface Entry {
    at: number;
    price: Promise<number | undefined>;
    settled: boolean;
    waiting: number;
    stop: AbortController;
  }
  const known = new Map<string, Entry>();
  const now = o.now ?? Date.now;
  const forget = (model: string, entry: Entry) => known.get(model) === entry && known.delete(model);
  return (model, signal) => {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    let entry = known.get(model);
    if (!entry || (o.ttlMs !== undefined && now() - entry.at >= o.ttlMs)) {
      const stop = new AbortController();
      const e: Entry = { at: now(), price: priceUsd(model, stop.signal), settled: false, waiting: 0, stop };
      e.price.then(
        () => (e.settled = true),
        () => {
          e.settled = true;
          forget(model, e);
        },
      );
      known.set(model, e);
      entry = e;
    }
    const e = entry;
    // A caller that cannot stop waits to the end: the read is never aborted under it.
    if (!signal) {
      e.waiting = Infinity;
      return e.price;
    }
    e.waiting++;
    return new Promise<number | undefined>((resolve, reject) => {
      const onAbort = () => {
        reject(abortReason(signal));
        if (--e.waiting === 0 && !e.settled) {
          forget(model, e);
          e.stop.abort(abortReason(signal));
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      e.price.then(resolve, reject).finally(() => {
        if (signal.aborted) return;
        signal.removeEventListener('abort', onAbort);
        e.waiting--;
      });
    });
  };
}
