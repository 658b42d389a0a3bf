import { zImageRef, type ImageRef } from '../graph/ports';
import type { Workflow } from '../graph/workflow-schema';
import { resultOf, type JobRecord, type LedgerUpdate } from '../ledger';
import { HISTORY_ENTRY_VERSION, type HistoryEntry, type HistoryReference, type HistoryStore } from './history-entry';
import type { RunSnapshots } from './run-snapshots';
import type { StudioState } from './store-types';

export interface HistoryRecorderOptions {
  /** The job ledger's updates: an entry is written when a job's images are stored. */
  ledger: { subscribe(listener: (u: LedgerUpdate) => void): () => void };
  history: HistoryStore;
  snapshots: Pick<RunSnapshots, 'forRun' | 'madeBy'>;
  /** Wall-clock ms, for jobs without a finish time. */
  now?: () => number;
}

/** Where the recorder reads results (names of references) and says what it did: a store, or every tab's. */
export interface HistoryHost {
  getState(): Pick<StudioState, 'results' | 'notify' | 'noteHistoryChanged'>;
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

/** Names of the images that fed `nodeId` in `workflow`, by asset id (from the run's results, or Load Image params). */
function referenceNames(workflow: Workflow | undefined, nodeId: string, results: StudioState['results']): Map<string, string> {
  const names = new Map<string, string>();
  if (!workflow) return names;
  for (const e of workflow.edges) {
    if (e.target.node !== nodeId) continue;
    const produced = results[e.source.node]?.outputs[e.source.port];
    const source = workflow.nodes.find((n) => n.id === e.source.node);
    const refs = produced !== undefined ? imagesIn(produced) : Object.values(source?.params ?? {}).flatMap(imagesIn);
    for (const r of refs) if (r.kind === 'asset' && r.name) names.set(r.assetId, r.name);
  }
  return names;
}

/** The reference images a job used: their content hashes (from the ledger), with names and URLs where known. */
export function referencesOf(r: JobRecord, names: ReadonlyMap<string, string>): HistoryReference[] {
  return r.referenceHashes.map((hash, i) => {
    const sent = r.sent.images[i];
    const name = names.get(hash);
    return { hash, ...(name ? { name } : {}), ...(sent?.startsWith('https://') ? { url: sent } : {}) };
  });
}

/**
 * Records every paid generation in the history when the ledger stores its images (a partial
 * job when its first images are stored, again as more arrive): one entry per request id, with
 * what was asked, what it cost, its images as asset ids (the ledger stored their bytes, since
 * provider URLs expire) and the workflow of the run that made it. Driven by ledger updates, so
 * results after a stop or re-attached after a reload are recorded like any other.
 */
export function attachHistoryRecorder(store: HistoryHost, options: HistoryRecorderOptions): HistoryRecorder {
  const now = options.now ?? Date.now;
  /** Per job: how many stored images its entry holds. */
  const recorded = new Map<string, number>();
  const pending = new Set<Promise<void>>();

  const sourceOf = (r: JobRecord): HistoryEntry['source'] => {
    const run = options.snapshots.forRun(r.runId);
    if (!run || run.continued) return 'reattached';
    return run.stopped || r.cancel ? 'late' : 'run';
  };

  const record = (r: JobRecord) => {
    const images = resultOf(r, false).images.filter((i): i is ImageRef & { kind: 'asset' } => i.kind === 'asset');
    const requestId = r.requestId;
    if (r.state !== 'stored' || !requestId || images.length === 0 || (recorded.get(r.jobId) ?? 0) >= images.length) return;
    recorded.set(r.jobId, images.length);
    const workflow = options.snapshots.forRun(r.runId)?.workflow ?? options.snapshots.madeBy(r.nodeId, r.cacheKey);
    const node = workflow?.nodes.find((n) => n.id === r.nodeId);
    const title = r.nodeTitle ?? node?.title;
    const entry: HistoryEntry = {
      v: HISTORY_ENTRY_VERSION,
      id: requestId,
      requestId,
      model: r.model,
      nodeId: r.nodeId,
      ...(title ? { nodeTitle: title } : {}),
      cacheKey: r.cacheKey,
      params: { ...(node?.params ?? {}), ...r.sent.params },
      prompt: r.sent.prompt,
      references: referencesOf(r, referenceNames(workflow, r.nodeId, store.getState().results)),
      ...(r.costUsd !== undefined ? { costUsd: r.costUsd } : {}),
      startedAt: r.submittedAt ?? r.createdAt,
      finishedAt: r.finishedAt ?? now(),
      images,
      outputUrls: r.outputs.map((o) => o.url),
      ...(workflow ? { workflow } : {}),
      ...(r.batch ? { batch: r.batch } : {}),
      source: sourceOf(r),
    };
    const job = options.history
      .get(requestId)
      .then(async (old) => {
        // After a reload the same job may be announced again (re-attached to fetch what is missing): keep the first entry.
        if (old && old.images.length >= images.length) return;
        await options.history.put(old ? { ...entry, source: old.source } : entry);
        store.getState().noteHistoryChanged();
      })
      .catch((err: unknown) => {
        recorded.delete(r.jobId);
        store
          .getState()
          .notify(
            `A finished generation (request ${requestId}) could not be added to the history: ${err instanceof Error ? err.message : String(err)}`,
            'error',
          );
      });
    pending.add(job);
    void job.finally(() => pending.delete(job));
  };

  const unsubscribe = options.ledger.subscribe((u) => record(u.record));
  return {
    async idle() {
      while (pending.size) await Promise.all([...pending]);
    },
    dispose: unsubscribe,
  };
}
