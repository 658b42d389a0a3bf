import type { ImageRef } from '../../graph/ports';
import type { FrameFactsView } from './FrameFacts';
import { runIndexOf, type NodeRun } from './frame-runs';
import type { LightboxRuns } from './use-node-runs';

/** How two frames are compared: A over B split by a divider, or next to each other. */
export type CompareView = 'slider' | 'side';

/** A frame by where it lives: a node, one of its runs (by key), and its 0-based index there. */
export interface FramePointer {
  nodeId: string;
  /** The run's key; undefined means the run the node shows (its current result). */
  runKey?: string;
  index: number;
}

/** A pointer resolved against the runs the lightbox knows. */
export interface ResolvedFrame {
  nodeId: string;
  title: string;
  runs: readonly NodeRun[];
  runIndex: number;
  run: NodeRun;
  /** Clamped to the run's frames. */
  index: number;
  image: ImageRef;
  /** Whether the node is paid (it has earlier runs to step through). */
  paid: boolean;
}

/** The frame a pointer names, or undefined when its node or run has nothing to show (any more). */
export function resolveFrame(data: Pick<LightboxRuns, 'runsOf' | 'titleOf'>, p: FramePointer): ResolvedFrame | undefined {
  const runs = data.runsOf(p.nodeId);
  const runIndex = runIndexOf(runs, p.runKey);
  const run = runs[runIndex];
  if (!run || run.images.length === 0) return undefined;
  const index = Math.max(0, Math.min(p.index, run.images.length - 1));
  const paid = runs.some((r) => r.facts.requestId !== undefined);
  return { nodeId: p.nodeId, title: data.titleOf(p.nodeId), runs, runIndex, run, index, image: run.images[index]!, paid };
}

/** "run 2 of 3 — <time>" for paid nodes; "current result" for the others. */
export function runLabel(f: Pick<ResolvedFrame, 'paid' | 'runIndex' | 'runs' | 'run'>, withTime = true): string {
  if (!f.paid) return 'current result';
  const at = f.run.facts.finishedAt;
  const base = `run ${f.runIndex + 1} of ${f.runs.length}`;
  return withTime && at !== undefined ? `${base} — ${new Date(at).toLocaleString()}` : base;
}

/** A short caption for a compared frame: "A · Seedream · run 1 · frame 2". */
export function frameCaption(label: string, f: ResolvedFrame): string {
  const run = f.paid && f.runs.length > 1 ? ` · run ${f.runIndex + 1}` : '';
  return `${label} · ${f.title}${run} · frame ${f.index + 1}`;
}

/**
 * What the facts panel shows for a frame. A frame of an unpaid node (a Preview, a Select) takes
 * the facts of the paid run it came from, and says which node and frame that was.
 */
export function factsView(data: Pick<LightboxRuns, 'originOf' | 'titleOf'>, f: ResolvedFrame, size: FrameFactsView['size'], label?: string): FrameFactsView {
  const base = {
    ...(label ? { label } : {}),
    nodeTitle: f.title,
    frame: f.index + 1,
    frames: f.run.images.length,
    ...(f.paid ? { run: runLabel(f, false) } : {}),
    ...(size ? { size } : {}),
  };
  if (f.run.facts.requestId !== undefined) return { ...base, facts: f.run.facts, requestFrames: f.run.images.length };
  const origin = data.originOf(f.image);
  if (!origin) return { ...base, facts: f.run.facts };
  const from = origin.source;
  return {
    ...base,
    facts: from.run.facts,
    requestFrames: from.run.images.length,
    madeBy: `${data.titleOf(from.nodeId)}, frame ${origin.frame}`,
  };
}

/**
 * Where the other frame starts when comparing begins: the next frame of the same run, or the
 * same frame of the run before (or after) when the run has one frame; the frame itself when neither exists.
 */
export function compareStart(f: ResolvedFrame): FramePointer {
  if (f.run.images.length > 1) return { nodeId: f.nodeId, runKey: f.run.key, index: (f.index + 1) % f.run.images.length };
  const other = f.runs[f.runIndex - 1] ?? f.runs[f.runIndex + 1];
  if (other) return { nodeId: f.nodeId, runKey: other.key, index: f.index };
  return { nodeId: f.nodeId, runKey: f.run.key, index: f.index };
}
