import { stableHash } from '../lib/hash';

/** One link feeding a node, as it enters the node's cache key. */
export interface CacheKeyInput {
  /** The input port of the node. */
  port: string;
  /** Position in the port's merge order (0, 1, …): renumbering `order` values keeps the key. */
  order: number;
  /** The upstream node's cache key: this is what makes the key a Merkle key. */
  sourceKey: string;
  sourcePort: string;
}

/** Everything a node's result depends on. */
export interface CacheKeyParts {
  kind: string;
  /** The definition's version (params are migrated to it before hashing). */
  kindVersion: number;
  /** Params after migration and zod validation (defaults filled, unknown keys dropped). */
  params: Record<string, unknown>;
  inputs: readonly CacheKeyInput[];
}

/**
 * A node's cache key: the stable hash of its kind, version, validated params and, for every
 * input link, the upstream node's key. Any change upstream changes every key downstream, so the
 * UI marks a preview stale by comparing its key with the one the result was made under.
 * Object key order never matters (canonical JSON); inputs are sorted by port, then order.
 */
export function computeCacheKey(parts: CacheKeyParts): string {
  const inputs = [...parts.inputs].sort((a, b) => (a.port < b.port ? -1 : a.port > b.port ? 1 : a.order - b.order));
  return stableHash({ kind: parts.kind, kindVersion: parts.kindVersion, params: parts.params, inputs });
}
