import type { NodeMeta, NodeOutputs } from '../engine/events';
import type { AssetStore } from '../graph/node-definition';
import { zImageRef, type ImageRef } from '../graph/ports';
import type { Workflow } from '../graph/workflow-schema';
import { stableHash } from '../lib/hash';
import { SEEDREAM_MODEL_ID } from '../model/seedream';
import type { StudioStore } from './create-store';
import { PAID_KIND } from './cost';
import { HISTORY_ENTRY_VERSION, type HistoryEntry, type HistoryReference, type HistoryStore } from './history-entry';
import type { NodeResult } from './run-reducer';
import type { RunSnapshots } from './run-snapshots';
import type { StudioState } from './store-types';

type StoredImage = ImageRef & { kind: 'asset' };

export interface HistoryRecorderOptions {
  history: HistoryStore;
  snapshots: Pick<RunSnapshots, 'madeBy'>;
  /** Copies URL outputs into the asset store (the service already stores what it downloads). */
  assets?: AssetStore;
  /** Wall-clock ms. */
  now?: () => number;
}

export interface HistoryRecorder {
  /** Resolves when every recording started so far has been written (tests). */
  idle(): Promise<void>;
  dispose(): void;
}

/** Every image reference inside a port value (a single image or a list). */
function imagesIn(value: unknown): ImageRef[] {
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((v) => {
    const parsed = zImageRef.safeParse(v);
    return parsed.success ? [parsed.data] : [];
  });
}

/** The reference images that fed `nodeId`, in merge order, from the run's results (or Load Image params). */
export function referencesOf(workflow: Workflow | undefined, nodeId: string, results: StudioState['results']): HistoryReference[] {
  if (!workflow) return [];
  const edges = workflow.edges
    .filter((e) => e.target.node === nodeId && e.target.port === 'images')
    .sort((a, b) => (a.order ?? Number.MAX_SAFE_INTEGER) - (b.order ?? Number.MAX_SAFE_INTEGER));
  return edges.flatMap((e) => {
    const produced = results[e.source.node]?.outputs[e.source.port];
    const source = workflow.nodes.find((n) => n.id === e.source.node);
    const refs = produced !== undefined ? imagesIn(produced) : source?.kind === 'image.load' ? imagesIn(source.params.image) : [];
    return refs.map((r): HistoryReference =>
      r.kind === 'asset' ? { hash: r.assetId, ...(r.name ? { name: r.name } : {}) } : { hash: `url:${stableHash(r.url)}`, url: r.url },
    );
  });
}

/**
 * Records every completed paid generation in the history: a Seedream result that was produced
 * (not served from the cache) in a run, after a stop, or by a job re-attached after a reload.
 * One entry per request id. Output images are kept as asset ids; a URL output is copied into
 * the asset store first, since provider URLs expire.
 */
export function attachHistoryRecorder(store: StudioStore, options: HistoryRecorderOptions): HistoryRecorder {
  const now = options.now ?? Date.now;
  const seen = new Set<string>();
  const pending = new Set<Promise<void>>();

  const storedImages = async (images: ImageRef[]): Promise<StoredImage[]> => {
    const out: StoredImage[] = [];
    for (const ref of images) {
      if (ref.kind === 'asset') out.push(ref);
      else if (options.assets) out.push(await options.assets.put(await options.assets.get(ref), { sourceUrl: ref.url }));
    }
    return out;
  };

  const record = (
    s: StudioState,
    nodeId: string,
    result: { outputs: NodeOutputs; meta: NodeMeta; cacheKey: string },
    source: HistoryEntry['source'],
    startedAt?: number,
  ) => {
    const requestId = typeof result.meta.requestId === 'string' ? result.meta.requestId : undefined;
    if (!requestId || seen.has(requestId)) return;
    seen.add(requestId);
    const workflow = options.snapshots.madeBy(nodeId, result.cacheKey);
    const node = workflow?.nodes.find((n) => n.id === nodeId);
    const request = (result.meta.request ?? {}) as Record<string, unknown>;
    const finishedAt = now();
    const job = (async () => {
      const entry: HistoryEntry = {
        v: HISTORY_ENTRY_VERSION,
        id: requestId,
        requestId,
        model: SEEDREAM_MODEL_ID,
        nodeId,
        ...(node?.title ? { nodeTitle: node.title } : {}),
        cacheKey: result.cacheKey,
        params: { ...(node?.params ?? {}), ...request },
        prompt: typeof request.prompt === 'string' ? request.prompt : String(node?.params.prompt ?? ''),
        references: referencesOf(workflow, nodeId, s.results),
        ...(typeof result.meta.costUsd === 'number' ? { costUsd: result.meta.costUsd } : {}),
        ...(startedAt !== undefined ? { startedAt } : {}),
        finishedAt,
        images: await storedImages(imagesIn(result.outputs.images)),
        outputUrls: Array.isArray(result.meta.outputUrls) ? result.meta.outputUrls.filter((u): u is string => typeof u === 'string') : [],
        ...(workflow ? { workflow } : {}),
        source,
      };
      await options.history.put(entry);
      store.getState().noteHistoryChanged();
    })().catch((err: unknown) => {
      seen.delete(requestId);
      store
        .getState()
        .notify(`A finished generation (request ${requestId}) could not be added to the history: ${err instanceof Error ? err.message : String(err)}`, 'error');
    });
    pending.add(job);
    void job.finally(() => pending.delete(job));
  };

  const isPaid = (s: StudioState, nodeId: string) => s.workflow.nodes.find((n) => n.id === nodeId)?.kind === PAID_KIND;

  const unsubscribe = store.subscribe((s, prev) => {
    if (s.results !== prev.results) {
      for (const [nodeId, result] of Object.entries(s.results) as [string, NodeResult][]) {
        if (result === prev.results[nodeId] || result.cached) continue;
        const requestId = result.meta.requestId;
        if (typeof requestId === 'string' && s.resumedJobs[requestId]) continue;
        if (!isPaid(s, nodeId) && result.meta.request === undefined) continue;
        const state = s.run.nodes[nodeId];
        const startedAt = state?.durationMs !== undefined ? now() - state.durationMs : undefined;
        record(s, nodeId, result, state?.collected ? 'late' : 'run', startedAt);
      }
    }
    if (s.resumedJobs !== prev.resumedJobs) {
      for (const job of Object.values(s.resumedJobs)) {
        if (job.status !== 'done' || prev.resumedJobs[job.requestId]?.status === 'done') continue;
        if (job.result) record(s, job.nodeId ?? job.sourceNodeId, { ...job.result, cacheKey: job.cacheKey }, 'reattached', job.submittedAt);
      }
    }
  });

  return {
    async idle() {
      while (pending.size) await Promise.all([...pending]);
    },
    dispose: unsubscribe,
  };
}
