import type { NodeRegistry } from '../graph/registry';
import type { JobContext } from './job-reducer';
import type { StudioState } from './store-types';

/**
 * The job reducer's view of the workflow on screen: each node's current cache key, and where a
 * stored job's images go on a paid node (its image-list output, by the kind's definition).
 */
export function jobContextOf(s: Pick<StudioState, 'analysis' | 'workflow'>, registry: NodeRegistry): JobContext {
  return {
    cacheKeys: s.analysis.cacheKeys,
    outputsOf(nodeId, images) {
      const node = s.workflow.nodes.find((n) => n.id === nodeId);
      const def = node ? registry.get(node.kind) : undefined;
      if (!def?.traits?.billing) return undefined;
      const port = def.outputs.find((p) => p.type === 'image-list');
      return port ? { [port.name]: images } : undefined;
    },
  };
}
