/**
 * The executor's public API: plan a workflow, run it with bounded concurrency and a cache,
 * and observe it through typed events. Identical in the browser and in Node.
 */
export { planRun, type PlanOptions, type PlannedLink, type PlannedNode, type RunPlan } from './plan';
export { describeZodIssue } from './plan-params';
export { executePlan, runGraph, type LogLevel, type RunOptions, type RunServices } from './run-graph';
export { computeCacheKey, type CacheKeyInput, type CacheKeyParts } from './cache-key';
export { MemoryCache, type CacheStore, type CachedResult } from './cache';
export { checkOutputs, gatherInputs, toErrorInfo, type OutputCheck } from './node-io';
export type {
  NodeErrorInfo,
  NodeMeta,
  NodeOutcome,
  NodeOutputs,
  RunCounts,
  RunEvent,
  RunEventOf,
  RunEventType,
  RunStatus,
  RunSummary,
  SkipReason,
} from './events';
