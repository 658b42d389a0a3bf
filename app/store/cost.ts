import type { NodeRegistry } from '../graph/registry';
import type { Workflow } from '../graph/workflow-schema';
import { SEEDREAM_MODEL_ID } from '../model/seedream';
import type { CacheStore } from '../engine/cache';
import type { PlanLike, PriceSource } from './engine-port';

/** The node kind that submits paid jobs, and the param its price follows. */
export const PAID_KIND = 'seedream.edit-sequential';

export interface CostItem {
  nodeId: string;
  title: string;
  maxImages: number;
  /** Its result is in the cache: nothing is submitted, it costs $0. */
  cached: boolean;
  /** The same work is already running (re-attached or still collected): joined, not resubmitted, $0. */
  inFlight?: boolean;
  /** price × max images, 0 when cached, undefined when the price is unknown. */
  costUsd: number | undefined;
}

export interface CostEstimate {
  items: CostItem[];
  /** Catalog price per output image, undefined when the catalog could not be read. */
  priceUsd: number | undefined;
  /** Sum over items, undefined when the price is unknown and something is not cached. */
  totalUsd: number | undefined;
  /** How many jobs would be submitted (items not cached). */
  paidJobs: number;
  /** Why the price is unknown, for the dialog. */
  priceError?: string;
}

/**
 * What a run would cost: for each Seedream node the plan would run, the catalog price × its
 * Max images, or $0 when its cache key is already cached. Billing follows the images requested,
 * not delivered, so this is the most a run can cost.
 */
export async function estimateCost(
  workflow: Workflow,
  registry: NodeRegistry,
  plan: PlanLike,
  cache: CacheStore,
  pricing: PriceSource,
  signal?: AbortSignal,
): Promise<CostEstimate> {
  const byId = new Map(workflow.nodes.map((n) => [n.id, n]));
  const items: CostItem[] = [];
  const paid = plan.order.map((id) => byId.get(id)).filter((n) => n?.kind === PAID_KIND);
  if (paid.length === 0) return { items, priceUsd: undefined, totalUsd: 0, paidJobs: 0 };

  let priceUsd: number | undefined;
  let priceError: string | undefined;
  try {
    priceUsd = await pricing.priceUsd(SEEDREAM_MODEL_ID, signal);
    if (priceUsd === undefined) priceError = 'The catalog gives no price for this model.';
  } catch (err) {
    priceError = `The price could not be read: ${err instanceof Error ? err.message : String(err)}`;
  }

  for (const node of paid) {
    if (!node) continue;
    const def = registry.get(node.kind);
    const parsed = def?.params.safeParse(node.params);
    const raw = parsed?.success ? (parsed.data as Record<string, unknown>).maxImages : node.params.maxImages;
    const maxImages = typeof raw === 'number' ? raw : 0;
    const key = plan.nodes.get(node.id)?.cacheKey;
    const cached = key !== undefined && (await cache.get(key)) !== undefined;
    items.push({
      nodeId: node.id,
      title: node.title ?? def?.title ?? node.kind,
      maxImages,
      cached,
      costUsd: cached ? 0 : priceUsd === undefined ? undefined : priceUsd * maxImages,
    });
  }
  const paidJobs = items.filter((i) => !i.cached).length;
  const totalUsd = items.every((i) => i.costUsd !== undefined) ? items.reduce((s, i) => s + (i.costUsd ?? 0), 0) : undefined;
  return { items, priceUsd, totalUsd, paidJobs, ...(priceError ? { priceError } : {}) };
}

/** `$0.12` style; prices below a cent keep three decimals. */
export function formatUsd(usd: number): string {
  return `$${usd.toFixed(usd !== 0 && usd < 0.01 ? 3 : 2)}`;
}
