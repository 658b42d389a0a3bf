import { InvalidInputError } from '../api/errors';
import type { GenerationRequest, PaidGeneration } from '../graph/generation';
import type { AssetStore, OutputSink } from '../graph/node-definition';
import type { NodeRegistry } from '../graph/registry';
import type { Workflow } from '../graph/workflow-schema';
import { executePlan, planRun, type RunPlan } from '../engine';
import type { EstimateDeps } from '../engine/estimate-cost';
import { abortReason, type Clock } from '../lib/clock';
import { canonicalJson, stableHash } from '../lib/hash';
import { DONE_COST, estimateRowCost, type RowCost } from './batch-cost';
import { eachLimit } from './pool';
import { resolveRow, type AssignedValue, type ColumnPlan, type ImageResolver } from './resolve-row';
import type { BatchProblem, BatchRow } from './rows';

/** What a dry run needs: the provider's `prepare` (decodes and checks everything, submits nothing). */
export interface DryRunDeps {
  registry: NodeRegistry;
  /** `GenerationProvider.prepare`: throws an InvalidInputError naming what is wrong; sends nothing. */
  prepare(request: GenerationRequest, signal: AbortSignal): Promise<unknown>;
  assets: AssetStore;
  clock: Clock;
}

/** Thrown by the dry run's generation once a paid node's request passed every check: the run stops there, unpaid. */
class DryRunStop extends Error {
  readonly code = 'dry-run-stop';
  constructor() {
    super('Checked; not submitted (dry run).');
  }
}

const discard: OutputSink = { save: async () => [] };

/**
 * The same checks as a single run, on one resolved row, paying nothing: the planner's (params,
 * links, each kind's validate), then a dry run through the executor whose paid generation only
 * calls the provider's `prepare` (references decoded whole, https references fetched, every
 * contract rule) and stops. Free upstream nodes (Load Image, Prompt) really run; nothing is
 * submitted or saved. Each problem names the row's line and, where it can be traced, the column
 * whose value caused it. Rejects only when `signal` aborts.
 */
export async function checkResolvedRow(
  row: BatchRow,
  workflow: Workflow,
  assigned: readonly AssignedValue[],
  deps: DryRunDeps,
  signal: AbortSignal,
): Promise<{ plan: RunPlan; problems: BatchProblem[] }> {
  const columnOf = columnFinder(assigned);
  const plan = planRun(workflow, deps.registry);
  const problems: BatchProblem[] = plan.issues
    .filter((i) => i.severity === 'error')
    .map((i) => place(row, i.nodeId, columnOf.byParam(i.nodeId, i.field), i.code, i.message));
  if (!plan.ok) return { plan, problems };

  const refused = new Map<string, { request: GenerationRequest; error: unknown }>();
  const generation: PaidGeneration = {
    async generate(request, options) {
      try {
        await deps.prepare(request, options.signal);
      } catch (error) {
        refused.set(options.job.nodeId, { request, error });
        throw error;
      }
      throw new DryRunStop();
    },
  };
  const summary = await executePlan(
    plan,
    { generation, assets: deps.assets, output: discard, clock: deps.clock },
    { concurrency: 4, signal, runId: `check-${row.id}` },
  );
  if (signal.aborted) throw abortReason(signal);
  for (const [nodeId, outcome] of summary.nodes) {
    if (outcome.status !== 'failed' || outcome.error.code === 'dry-run-stop') continue;
    const seen = refused.get(nodeId);
    if (seen?.error instanceof InvalidInputError && seen.error.issues.length) {
      for (const issue of seen.error.issues)
        problems.push(place(row, nodeId, columnOf.byRequest(seen.request, nodeId, issue.field), issue.code, issue.message));
      continue;
    }
    problems.push(place(row, nodeId, columnOf.byParam(nodeId, outcome.error.field), outcome.error.code, outcome.error.message));
  }
  return { plan, problems };
}

function place(row: BatchRow, nodeId: string | undefined, column: string | undefined, code: string, message: string): BatchProblem {
  return { line: row.line, ...(column ? { column } : {}), ...(nodeId ? { nodeId } : {}), code, message };
}

/**
 * Traces a problem back to the column that caused it: by the node and param it names, else by
 * value (the reference, prompt or param the provider refused is the value some column put in,
 * maybe through a Load Image or Prompt node upstream).
 */
function columnFinder(assigned: readonly AssignedValue[]) {
  const byValue = (value: unknown) => {
    if (value === undefined) return undefined;
    const want = canonicalJson(value);
    return assigned.find((a) => canonicalJson(a.value) === want)?.column;
  };
  const byParam = (nodeId: string | undefined, field: string | undefined) =>
    nodeId && field ? assigned.find((a) => a.node === nodeId && a.param === field.replace(/^params\./, ''))?.column : undefined;
  const byRequest = (request: GenerationRequest, nodeId: string, field: string | undefined) => {
    if (!field) return undefined;
    const ref = /^images\[(\d+)\]/.exec(field);
    if (ref) return byValue(request.references[Number(ref[1])]);
    if (field === 'prompt') return byParam(nodeId, 'prompt') ?? byValue(request.prompt);
    const param = /^params\.(\w+)/.exec(field)?.[1];
    if (param) return byParam(nodeId, param) ?? byValue(request.params[param]);
    return byParam(nodeId, field);
  };
  return { byParam, byRequest };
}

/**
 * One row after every check: ready to run (its fingerprint and what it would cost), or why not.
 * The resolved workflow is not kept: the runner resolves the row again (see run-batch.ts).
 */
export type CheckedRow =
  { row: BatchRow; ok: true; fingerprint: string; cost: RowCost; done: boolean } | { row: BatchRow; ok: false; problems: BatchProblem[]; fingerprint?: string };

export interface CheckRowsOptions extends DryRunDeps {
  workflow: Workflow;
  rows: readonly BatchRow[];
  columns: ColumnPlan;
  images: ImageResolver;
  /** Rows checked at once (default 4: decoding images is CPU work). */
  concurrency?: number;
  /** A row finished earlier with this same input (batch.json): it is resolved for its fingerprint but not dry-run again. */
  isDone?(rowId: string, fingerprint: string): boolean;
  /** Cost of each good row (cache and ledger lookups); without it a row's cost is unknown. */
  cost?: EstimateDeps;
  /** Called as each row is checked, in completion order (progress, and to drop what is not needed). */
  onChecked?(checked: CheckedRow): void | Promise<void>;
  signal: AbortSignal;
}

/** The input fingerprint of a resolved row: what a re-run compares to know the row is done. */
export const rowFingerprint = (workflow: Workflow): string => stableHash(workflow);

/**
 * Checks every row before anything is paid: resolved (cells applied like `--set`), planned and
 * dry-run (see checkResolvedRow). Results come back in row order; nothing is submitted.
 */
export async function checkRows(o: CheckRowsOptions): Promise<CheckedRow[]> {
  const out = new Array<CheckedRow>(o.rows.length);
  await eachLimit(
    o.rows.entries(),
    o.concurrency ?? 4,
    async ([i, row]) => {
      const checked = await checkRow(row, o);
      out[i] = checked;
      await o.onChecked?.(checked);
    },
    o.signal,
  );
  if (o.signal.aborted) throw abortReason(o.signal);
  return out;
}

async function checkRow(row: BatchRow, o: CheckRowsOptions): Promise<CheckedRow> {
  const resolved = await resolveRow(o.workflow, o.columns, row, o.images, o.signal);
  if (!resolved.ok) return { row, ok: false, problems: resolved.problems };
  const fingerprint = rowFingerprint(resolved.workflow);
  if (o.isDone?.(row.id, fingerprint)) return { row, ok: true, fingerprint, cost: DONE_COST, done: true };
  const { plan, problems } = await checkResolvedRow(row, resolved.workflow, resolved.assigned, o, o.signal);
  if (problems.length) return { row, ok: false, problems, fingerprint };
  const cost = o.cost ? await estimateRowCost(plan, o.cost, o.signal) : { ...DONE_COST, maxUsd: undefined };
  return { row, ok: true, fingerprint, cost, done: false };
}
