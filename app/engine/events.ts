import type { Issue } from '../graph/issues';
import type { ProgressDetail } from '../graph/node-definition';
import type { PortValue } from '../graph/ports';

/** Outputs of one node, by output port name. */
export type NodeOutputs = Record<string, PortValue>;

/** Facts a node attached with `ctx.annotate` (request id, cost, output URLs). */
export type NodeMeta = Record<string, unknown>;

/** A node failure as a value: what the UI shows and the store keeps. */
export interface NodeErrorInfo {
  /** The thrown error's `code`, `aborted` when the run was stopped, else `node-failed`. */
  code: string;
  message: string;
  /** The param or port the error is about, when the node said so. */
  field?: string;
  /** Whether trying again may succeed (rate limits, 5xx), when the node said so. */
  retryable?: boolean;
  /** The RunComfy request the error concerns (a paid job that may still exist): never dropped. */
  requestId?: string;
  details?: unknown;
}

export type RunStatus = 'succeeded' | 'failed' | 'aborted' | 'invalid';
/**
 * Why a node did not run: a node it needs failed, the run was stopped, the workflow has errors,
 * it is muted or needs a muted node (`because` names it), or it is bypassed (its inputs were
 * passed on in its place).
 */
export type SkipReason = 'upstream-failed' | 'aborted' | 'invalid' | 'muted' | 'bypassed';

/** How the planned nodes of a run ended. */
export interface RunCounts {
  planned: number;
  done: number;
  cached: number;
  failed: number;
  skipped: number;
}

interface EventBase {
  /** The run this event belongs to, so a store can ignore events of an older run. */
  runId: string;
  /** `services.clock.now()` when the event happened. */
  at: number;
}

/**
 * Everything the executor reports, in the order it happens. Each planned node gets exactly one
 * terminal event (node-cached, node-done, node-error or node-skipped) between run-start and
 * run-done; node-start and node-progress come only for nodes that really run.
 */
export type RunEvent =
  | (EventBase & { type: 'run-start'; nodeIds: string[] })
  | (EventBase & { type: 'node-start'; nodeId: string; cacheKey: string })
  | (EventBase & { type: 'node-progress'; nodeId: string; fraction?: number; message?: string; detail?: ProgressDetail })
  | (EventBase & { type: 'node-cached'; nodeId: string; cacheKey: string; outputs: NodeOutputs; meta: NodeMeta })
  | (EventBase & {
      type: 'node-done';
      nodeId: string;
      durationMs: number;
      cacheKey: string;
      outputs: NodeOutputs;
      meta: NodeMeta;
    })
  | (EventBase & { type: 'node-error'; nodeId: string; durationMs: number; error: NodeErrorInfo })
  | (EventBase & { type: 'node-skipped'; nodeId: string; reason: SkipReason; because?: string })
  | (EventBase & {
      type: 'run-done';
      durationMs: number;
      status: RunStatus;
      counts: RunCounts;
      /** The planner's findings: the errors that stopped an `invalid` run, or warnings. */
      issues: Issue[];
    });

export type RunEventType = RunEvent['type'];

/** One event type of the union, e.g. `RunEventOf<'node-done'>`. */
export type RunEventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;

/** How one planned node ended. */
export type NodeOutcome =
  | { status: 'done' | 'cached'; cacheKey: string; outputs: NodeOutputs; meta: NodeMeta }
  | { status: 'failed'; error: NodeErrorInfo }
  | { status: 'skipped'; reason: SkipReason; because?: string };

/** What `runGraph` resolves to: the run-done facts plus every node's outcome. */
export interface RunSummary {
  runId: string;
  status: RunStatus;
  durationMs: number;
  counts: RunCounts;
  issues: Issue[];
  /** Per planned node, in run order. */
  nodes: Map<string, NodeOutcome>;
}
