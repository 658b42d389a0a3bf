import { useEffect, useMemo, useState } from 'react';
import type { ImageRef } from '../../graph/ports';
import type { HistoryEntry } from '../../store/history-entry';
import { useServices, useStudio } from '../studio-context';
import { factsOfEntry, nodeRuns, originOf as findOrigin, type FrameOrigin, type NodeRun } from './frame-runs';
import { resultImages } from './result-images';

const NO_ENTRIES: readonly HistoryEntry[] = [];

/** Every history entry, read again when the history changes; empty without browser storage. */
function useHistoryEntries(): { entries: readonly HistoryEntry[]; problem?: string } {
  const { history } = useServices();
  const revision = useStudio((s) => s.historyRevision);
  const [read, setRead] = useState<{ entries: readonly HistoryEntry[]; problem?: string }>({ entries: NO_ENTRIES });
  useEffect(() => {
    if (!history) return;
    let live = true;
    history.list().then(
      (entries) => live && setRead({ entries }),
      (err: unknown) =>
        live && setRead({ entries: NO_ENTRIES, problem: `Earlier runs could not be read: ${err instanceof Error ? err.message : String(err)}` }),
    );
    return () => {
      live = false;
    };
  }, [history, revision]);
  return read;
}

/** A run of one node, as the lightbox lists it. */
export interface RunSource {
  nodeId: string;
  run: NodeRun;
}

export interface LightboxRuns {
  /** A node's runs, oldest first (see `nodeRuns`). */
  runsOf(nodeId: string): readonly NodeRun[];
  /** Nodes that have something to show, in canvas order, with their shown titles. */
  nodes: readonly { id: string; title: string }[];
  /**
   * A node's shown title (its own, else its kind's), with its id when another node reads the same;
   * the history's title or the id for nodes no longer on the canvas.
   */
  titleOf(nodeId: string): string;
  /** The paid run an image came from (for frames of unpaid nodes: previews, selections). */
  originOf(image: ImageRef): FrameOrigin<RunSource> | undefined;
  problem?: string;
}

/** The runs of every node on the canvas: shown results from the store, earlier paid ones from the history. */
export function useLightboxRuns(): LightboxRuns {
  const { registry } = useServices();
  const { entries, problem } = useHistoryEntries();
  const results = useStudio((s) => s.results);
  const nodes = useStudio((s) => s.workflow.nodes);
  const jobs = useStudio((s) => s.jobs);

  return useMemo(() => {
    const jobIds = new Map<string, string>();
    for (const { record } of Object.values(jobs)) if (record.requestId) jobIds.set(record.requestId, record.jobId);
    const byNode = new Map<string, readonly NodeRun[]>();
    for (const node of nodes) {
      const def = registry.get(node.kind);
      const runs = nodeRuns({
        nodeId: node.id,
        result: results[node.id],
        images: resultImages({ results }, node.id),
        paidModel: def?.traits?.billing?.model,
        history: entries,
        jobIds,
      });
      if (runs.length) byNode.set(node.id, runs);
    }
    const titles = new Map(nodes.map((n) => [n.id, n.title ?? registry.get(n.kind)?.title ?? n.id]));
    const uses = new Map<string, number>();
    for (const t of titles.values()) uses.set(t, (uses.get(t) ?? 0) + 1);
    // Two nodes of one kind, untitled, read the same: their ids tell them apart.
    for (const [id, t] of titles) if ((uses.get(t) ?? 0) > 1 && t !== id) titles.set(id, `${t} (${id})`);
    const titleOf = (nodeId: string) => titles.get(nodeId) ?? entries.find((e) => e.nodeId === nodeId)?.nodeTitle ?? nodeId;
    const shown = nodes.filter((n) => byNode.has(n.id)).map((n) => ({ id: n.id, title: titleOf(n.id) }));
    const paidSources = (): RunSource[] =>
      [...byNode].flatMap(([nodeId, runs]) => runs.filter((r) => r.facts.requestId !== undefined).map((run) => ({ nodeId, run })));
    let sources: RunSource[] | undefined;
    return {
      runsOf: (nodeId) => byNode.get(nodeId) ?? [],
      nodes: shown,
      titleOf,
      originOf(image) {
        sources ??= [
          ...paidSources(),
          // Entries of nodes no longer on the canvas still name the request that made a frame.
          ...entries.map((e) => ({
            nodeId: e.nodeId,
            run: { key: e.requestId, images: e.images, facts: factsOfEntry(e, jobIds.get(e.requestId)), current: false },
          })),
        ];
        return findOrigin(image, sources, (s) => s.run.images);
      },
      ...(problem ? { problem } : {}),
    };
  }, [entries, problem, results, nodes, jobs, registry]);
}
