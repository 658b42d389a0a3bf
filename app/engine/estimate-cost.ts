import type { CacheStore } from './cache';
import type { RunPlan } from './plan';

/** What the job ledger knows of one piece of work (structurally its `WorkStatus`). */
export interface WorkLookup {
  lookup(
    cacheKey: string,
  ): Promise<{ kind: 'none' | 'stored' | 'partial' | 'in-flight' | 'blocked'; record?: { jobId: string; state: string; requestId?: string } }>;
}

/**
 * How each paid node of a run would be settled: `pay` submits a new job; `cached`/`stored` reuse
 * images at $0; `in-flight` joins a running job at $0; `partial` fetches missing images for free;
 * `blocked` means an earlier attempt may have been billed and paying again needs the user's choice;
 * `bypassed`/`muted`: the node does not run ($0, nothing submitted).
 */
export type CostStatus = 'pay' | 'cached' | 'stored' | 'in-flight' | 'partial' | 'blocked' | 'bypassed' | 'muted';

export interface CostItem {
  nodeId: string;
  title: string;
  model: string;
  /** The param the price follows (Seedream: Max images). */
  maxOutputs: number;
  status: CostStatus;
  /** Its result is in the cache (or stored in the ledger): $0. */
  cached: boolean;
  /** The same work is already running: joined, not resubmitted, $0. */
  inFlight: boolean;
  /** For `blocked`/`partial`/`in-flight`/`stored`: the earlier job. */
  job?: { jobId: string; state: string; requestId?: string };
  /** price × max outputs when it pays, 0 otherwise, undefined when the price is unknown. */
  costUsd: number | undefined;
}

export interface CostEstimate {
  items: CostItem[];
  /** Catalog price per output, undefined when it could not be read. */
  priceUsd: number | undefined;
  /** Sum over items, undefined when the price is unknown and something pays. */
  totalUsd: number | undefined;
  /** Jobs that would be submitted (items that pay). */
  paidJobs: number;
  /** Items that need the user's explicit choice to pay again. */
  blocked: CostItem[];
  priceError?: string;
}

export interface EstimateDeps {
  cache?: CacheStore;
  ledger?: WorkLookup;
  /** USD per output for a model, or undefined when the catalog does not say. */
  priceUsd(model: string, signal?: AbortSignal): Promise<number | undefined>;
}

/**
 * What a planned run would cost, from the node kinds' billing traits: per paid node, the catalog
 * price × its max-outputs param — the most it can cost, since billing follows the images
 * requested — or $0 where the cache or the ledger already has (or is getting) the result.
 */
export async function estimateCost(plan: RunPlan, deps: EstimateDeps, signal?: AbortSignal): Promise<CostEstimate> {
  const paid = plan.order.map((id) => plan.nodes.get(id)).filter((n) => n?.def.traits?.billing && !n.bypass);
  const items: CostItem[] = notRunItems(plan);
  if (paid.length === 0) return { items, priceUsd: undefined, totalUsd: 0, paidJobs: 0, blocked: [] };
  const prices = new Map<string, number | undefined>();
  let priceError: string | undefined;
  for (const node of paid) {
    const model = node!.def.traits!.billing!.model;
    if (prices.has(model)) continue;
    try {
      const p = await deps.priceUsd(model, signal);
      prices.set(model, p);
      if (p === undefined) priceError = 'The catalog gives no price for this model.';
    } catch (err) {
      prices.set(model, undefined);
      priceError = `The price could not be read: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  for (const node of paid) {
    if (!node) continue;
    const billing = node.def.traits!.billing!;
    const raw = node.params[billing.priceParam];
    const maxOutputs = typeof raw === 'number' ? raw : 0;
    const cachedHit = deps.cache ? (await deps.cache.get(node.cacheKey).catch(() => undefined)) !== undefined : false;
    const work = cachedHit || !deps.ledger ? undefined : await deps.ledger.lookup(node.cacheKey);
    const status: CostStatus = cachedHit ? 'cached' : work?.kind === 'none' || work === undefined ? 'pay' : work.kind;
    const price = prices.get(billing.model);
    items.push({
      nodeId: node.id,
      title: node.node.title ?? node.def.title,
      model: billing.model,
      maxOutputs,
      status,
      cached: status === 'cached' || status === 'stored',
      inFlight: status === 'in-flight',
      ...(work?.record
        ? { job: { jobId: work.record.jobId, state: work.record.state, ...(work.record.requestId ? { requestId: work.record.requestId } : {}) } }
        : {}),
      costUsd: status !== 'pay' ? 0 : price === undefined ? undefined : Math.round(price * maxOutputs * 1e6) / 1e6,
    });
  }
  // In run order, the free ones among the paid.
  const position = new Map(plan.order.map((id, i) => [id, i] as const));
  items.sort((a, b) => position.get(a.nodeId)! - position.get(b.nodeId)!);
  const paying = items.filter((i) => i.status === 'pay');
  const totalUsd = items.every((i) => i.costUsd !== undefined) ? Math.round(items.reduce((s, i) => s + (i.costUsd ?? 0), 0) * 1e6) / 1e6 : undefined;
  return {
    items,
    priceUsd: prices.values().next().value,
    totalUsd,
    paidJobs: paying.length,
    blocked: items.filter((i) => i.status === 'blocked'),
    ...(priceError ? { priceError } : {}),
  };
}

/**
 * The paid nodes of a run that will not run (bypassed, muted, or fed by a muted node): listed at $0
 * so the user sees they cost nothing this time, never counted as jobs. The price param is read as
 * saved: a node that does not run need not have valid params.
 */
function notRunItems(plan: RunPlan): CostItem[] {
  const items: CostItem[] = [];
  for (const id of plan.order) {
    const planned = plan.nodes.get(id);
    const skipped = plan.skipped.get(id);
    const found = planned?.bypass ? { ...planned, status: 'bypassed' as const } : skipped ? { ...skipped, status: 'muted' as const } : undefined;
    const billing = found?.def?.traits?.billing;
    if (!found?.def || !billing) continue;
    const raw = found.node.params[billing.priceParam];
    items.push({
      nodeId: id,
      title: found.node.title ?? found.def.title,
      model: billing.model,
      maxOutputs: typeof raw === 'number' ? raw : 0,
      status: found.status,
      cached: false,
      inFlight: false,
      costUsd: 0,
    });
  }
  return items;
}

/** `$0.12` style; prices below a cent keep three decimals. */
export function formatUsd(usd: number): string {
  return `$${usd.toFixed(usd !== 0 && usd < 0.01 ? 3 : 2)}`;
}
