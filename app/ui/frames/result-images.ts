import type { NodeDefinition } from '../../graph/node-definition';
import type { ImageRef } from '../../graph/ports';
import type { StudioState } from '../../store/store-types';

const NONE: readonly ImageRef[] = [];

/** One-image lists by the image they wrap, so a selector reading a single `image` output gets the same array every time. */
const single = new WeakMap<object, readonly ImageRef[]>();

/**
 * The images of a node's last result (its first image or image-list output), stable per result:
 * a store selector must return the same value while nothing changed, or React re-renders forever.
 */
export function resultImages(s: Pick<StudioState, 'results'>, nodeId: string): readonly ImageRef[] {
  const outputs = s.results[nodeId]?.outputs;
  if (!outputs) return NONE;
  for (const value of Object.values(outputs)) {
    if (Array.isArray(value)) return value as ImageRef[];
    if (value && typeof value === 'object') {
      let list = single.get(value);
      if (!list) single.set(value, (list = [value as ImageRef]));
      return list;
    }
  }
  return NONE;
}

/**
 * Whether a node's shown result is stale: it was made under another cache key than the node
 * would have now (its params or something upstream changed).
 */
export function isResultStale(s: StudioState, nodeId: string): boolean {
  const made = s.results[nodeId]?.cacheKey;
  if (made === undefined) return false;
  const now = s.analysis.cacheKeys.get(nodeId);
  return now === undefined || now !== made;
}

/** Whether a node of this kind shows its output frames (a strip that appears after a run). */
export const showsFrames = (def: Pick<NodeDefinition, 'kind' | 'outputs'>): boolean =>
  def.kind !== 'image.load' && def.outputs.some((p) => p.type === 'image-list');
