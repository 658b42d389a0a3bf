import { findCycles } from '../graph/cycles';
import { hasErrors, type Issue } from '../graph/issues';
import type { LinkInfo, NodeDefinition } from '../graph/node-definition';
import type { NodeRegistry } from '../graph/registry';
import { topoOrder } from '../graph/topo-order';
import type { Workflow, WorkflowNode } from '../graph/workflow-schema';
import { computeCacheKey, type CacheKeyInput } from './cache-key';
import { checkLinks, type PlannedLink } from './plan-links';
import { bypassPorts, dropEmptyPassThroughs, modeScope, passedInputs, type BypassPorts, type SkippedNode } from './plan-modes';
import { errorText, nodeLabel, resolveParams } from './plan-params';

export type { PlannedLink } from './plan-links';
export type { BypassPorts, MutedSkip, SkippedNode } from './plan-modes';

/** A node the executor will run, with everything resolved up front. */
export interface PlannedNode {
  readonly id: string;
  readonly node: WorkflowNode;
  readonly def: NodeDefinition;
  /** Params migrated and parsed by the kind's schema (`{}` for a bypassed node whose params do not parse: they are not used). */
  readonly params: Record<string, unknown>;
  /** Per input port of the definition (every port, `[]` when unlinked): links in merge order. */
  readonly inputs: Readonly<Record<string, readonly PlannedLink[]>>;
  /** The distinct nodes this one reads from. */
  readonly upstream: readonly string[];
  /** Merkle key of this node's result (see computeCacheKey). */
  readonly cacheKey: string;
  /**
   * Set when the node is bypassed: it does not run (free, never cached, never billed); each
   * output carries the value of the input named here. Its `inputs` hold only those inputs' links.
   */
  readonly bypass?: BypassPorts;
}

/** The outcome of planning: every problem found, and what would run in which order. */
export interface RunPlan {
  /** True when no issue is an error: the run may start. */
  readonly ok: boolean;
  /** Errors and warnings, each naming its node (and param or port) where it has one. */
  readonly issues: Issue[];
  /**
   * The nodes the run covers (outputs and what feeds them, or the targets and their ancestors) in
   * topological order, skipped ones included. Nodes that cannot be ordered (on or after a cycle) come last in file order.
   */
  readonly order: string[];
  /** The runnable nodes by id. When `ok` is false it holds only the nodes that fully resolved. */
  readonly nodes: Map<string, PlannedNode>;
  /** Nodes of `order` that will not run: muted, or fed by a muted node. Never in `nodes`. */
  readonly skipped: ReadonlyMap<string, SkippedNode>;
}

export interface PlanOptions {
  /** "Run to here": plan these nodes and their ancestors instead of every output node. */
  targets?: readonly string[];
}

/** Issues a bypassed node keeps as errors: without its ports or order nothing can pass through it. */
const BYPASS_KEEPS = new Set(['unknown-kind', 'cycle']);

/**
 * Validates a workflow against the registry and plans a run, without running anything. Every
 * node is checked (kind, version, params, links, custom `validate`); problems on nodes that
 * the run does not need, or that will not run (muted, bypassed), are reported as warnings, so a
 * half-built branch does not block it.
 */
export function planRun(workflow: Workflow, registry: NodeRegistry, options: PlanOptions = {}): RunPlan {
  const issues: Issue[] = [];
  const defs = new Map<string, NodeDefinition | undefined>();
  const params = new Map<string, Record<string, unknown>>();
  const broken = new Set<string>();
  const bypass = new Map<string, BypassPorts>();

  for (const node of workflow.nodes) {
    const def = registry.get(node.kind);
    defs.set(node.id, def);
    if (!def) {
      broken.add(node.id);
      issues.push({
        severity: 'error',
        code: 'unknown-kind',
        nodeId: node.id,
        message: node.kind.startsWith('comfyui.')
          ? `${nodeLabel(node)} is ComfyUI's "${node.kind.slice('comfyui.'.length)}" node, which has no counterpart here: it is kept as a placeholder. Delete it, or rebuild what it did with this editor's nodes.`
          : `${nodeLabel(node)} has kind "${node.kind}", which this build does not know (a newer version or a missing plug-in?).`,
      });
      continue;
    }
    if (node.mode === 'bypass') bypass.set(node.id, bypassPorts(def));
    const resolved = resolveParams(node, def);
    if (resolved.ok) params.set(node.id, resolved.params);
    else {
      broken.add(node.id);
      issues.push(...resolved.issues);
    }
  }

  const linkCheck = checkLinks(workflow, defs);
  issues.push(...linkCheck.issues);
  for (const id of linkCheck.broken) broken.add(id);

  const { needed, skipped } = modeScope(workflow, defs, bypass, rootsOf(workflow, defs, options.targets, issues));

  const nodesById = new Map(workflow.nodes.map((n) => [n.id, n] as const));
  const inCycle = new Set<string>();
  for (const cycle of findCycles(workflow)) {
    for (const id of cycle) inCycle.add(id);
    issues.push({
      severity: 'error',
      code: 'cycle',
      nodeId: cycle[0],
      message: `These nodes feed each other in a loop: ${loopPath(cycle, (id) => nodeLabel(nodesById.get(id) ?? { id }, defs.get(id)))}. Remove one of these links.`,
    });
  }
  for (const id of inCycle) broken.add(id);
  // A bypassed node runs nothing of its own: only an unknown kind or a loop stops it passing its inputs on.
  for (const id of bypass.keys()) if (!inCycle.has(id)) broken.delete(id);

  const kindOf = new Map(workflow.nodes.map((n) => [n.id, n.kind] as const));
  // A source whose output is one of its params (a Prompt's text) tells the nodes it feeds what they get.
  const knownText = (sourceNode: string, port: string): string | undefined => {
    const stat = bypass.has(sourceNode) ? undefined : defs.get(sourceNode)?.traits?.staticOutput;
    const value = stat && stat.port === port ? params.get(sourceNode)?.[stat.param] : undefined;
    return typeof value === 'string' ? value : undefined;
  };
  for (const node of workflow.nodes) {
    const def = defs.get(node.id);
    const p = params.get(node.id);
    // A node that does not run has nothing to check beyond its params and links.
    if (!def?.validate || !p || node.mode) continue;
    for (const found of runValidate(node, def, p, linkCheck.links.get(node.id), { kindOf, knownText }, issues)) {
      if (found.severity === 'error') broken.add(node.id);
    }
  }

  const runnable = workflow.nodes.filter((n) => needed.has(n.id));
  const topo = topoOrder({ nodes: runnable, edges: linkCheck.validEdges });
  const order = topo.ok ? topo.order : [...topo.order, ...topo.rest];

  const inputsOf = new Map<string, Record<string, readonly PlannedLink[]>>();
  for (const node of runnable) {
    const def = defs.get(node.id);
    if (!def || skipped.has(node.id)) continue;
    const ports = linkCheck.links.get(node.id);
    const passed = bypass.has(node.id) ? passedInputs(bypass.get(node.id)!) : undefined;
    const inputs: Record<string, readonly PlannedLink[]> = {};
    for (const input of def.inputs) inputs[input.name] = passed && !passed.has(input.name) ? [] : (ports?.get(input.name) ?? []);
    inputsOf.set(node.id, inputs);
  }
  for (const found of dropEmptyPassThroughs(order, inputsOf, defs, bypass, nodesById)) {
    issues.push(found);
    broken.add(found.nodeId!);
  }

  // Problems on nodes this run does not need, or that will not run, are shown but do not block it.
  for (const issue of issues) {
    if (issue.severity !== 'error' || issue.nodeId === undefined) continue;
    const id = issue.nodeId;
    if (!needed.has(id) || skipped.has(id) || (bypass.has(id) && !BYPASS_KEEPS.has(issue.code))) issue.severity = 'warning';
  }

  // Keys in topological order: a key needs every upstream key, so a node after a broken one
  // (or on a cycle) gets none and is left out. Inserting in run order keeps `nodes` iterable in it.
  const nodes = new Map<string, PlannedNode>();
  for (const id of order) {
    const node = nodesById.get(id)!;
    const def = defs.get(id);
    const inputs = inputsOf.get(id);
    const ports = bypass.get(id);
    const p = params.get(id) ?? (ports ? {} : undefined);
    if (!def || !inputs || !p || broken.has(id)) continue;
    const candidate: PlannedNode = { id, node, def, params: p, inputs, upstream: [], cacheKey: '', ...(ports ? { bypass: ports } : {}) };
    const planned = withCacheKey(candidate, nodes);
    if (planned) nodes.set(id, planned);
  }
  return { ok: !hasErrors(issues), issues, order, nodes, skipped };
}

/** "A → B → A" by the nodes' names; with their ids where names repeat (two Seedream nodes). */
function loopPath(cycle: readonly string[], label: (id: string) => string): string {
  const uses = new Map<string, number>();
  for (const id of new Set(cycle)) uses.set(label(id), (uses.get(label(id)) ?? 0) + 1);
  return cycle.map((id) => ((uses.get(label(id)) ?? 0) > 1 ? `${label(id)} (${id})` : label(id))).join(' → ');
}

/** What a run starts from: the targets (or every output node). */
function rootsOf(workflow: Workflow, defs: ReadonlyMap<string, NodeDefinition | undefined>, targets: readonly string[] | undefined, issues: Issue[]): string[] {
  if (targets?.length) {
    for (const t of targets.filter((x) => !defs.has(x))) {
      issues.push({ severity: 'error', code: 'unknown-target', message: `Cannot run to "${t}": there is no such node.` });
    }
    return targets.filter((t) => defs.has(t));
  }
  const roots = workflow.nodes.filter((n) => defs.get(n.id)?.isOutput).map((n) => n.id);
  if (roots.length === 0 && workflow.nodes.length > 0) {
    issues.push({
      severity: 'error',
      code: 'no-outputs',
      message: 'Nothing to run: the workflow has no output node (such as Preview or Save). Add one, or run to a chosen node.',
    });
  }
  return roots;
}

/** Calls a definition's own checks; a throwing validate is a bug reported as an issue, not lost. */
function runValidate(
  node: WorkflowNode,
  def: NodeDefinition,
  params: Record<string, unknown>,
  ports: ReadonlyMap<string, readonly PlannedLink[]> | undefined,
  sources: { kindOf: ReadonlyMap<string, string>; knownText(sourceNode: string, port: string): string | undefined },
  issues: Issue[],
): Issue[] {
  const links: Record<string, LinkInfo[]> = {};
  for (const input of def.inputs) {
    links[input.name] = (ports?.get(input.name) ?? []).map((l) => {
      const text = l.sourceType === 'text' ? sources.knownText(l.sourceNode, l.sourcePort) : undefined;
      return {
        sourceNode: l.sourceNode,
        sourceKind: sources.kindOf.get(l.sourceNode) ?? '',
        sourcePort: l.sourcePort,
        type: l.sourceType,
        ...(l.sourceType === 'image' ? { knownCount: 1 } : {}),
        ...(text !== undefined ? { knownText: text } : {}),
      };
    });
  }
  let found: Issue[];
  try {
    found = def.validate!({ params, links }).map((i) => ({ ...i, nodeId: i.nodeId ?? node.id }));
  } catch (err) {
    found = [
      {
        severity: 'error',
        code: 'validate-failed',
        nodeId: node.id,
        message: `${nodeLabel(node, def)} could not be checked: ${errorText(err)}`,
      },
    ];
  }
  issues.push(...found);
  return found;
}

/**
 * The node with its Merkle key, or undefined when an upstream node has no key. A bypassed node's
 * key stands for what it passes on (which inputs to which outputs, and their sources' keys), so
 * bypassing a node changes every key downstream, and editing its params changes none.
 */
function withCacheKey(planned: PlannedNode, keyed: ReadonlyMap<string, PlannedNode>): PlannedNode | undefined {
  const keyInputs: CacheKeyInput[] = [];
  const upstream = new Set<string>();
  const keyParams: Record<string, unknown> = planned.bypass ? { bypass: planned.bypass } : { ...planned.params };
  for (const input of planned.def.inputs) {
    const links = planned.inputs[input.name] ?? [];
    // A linked input replaces its param, so the hidden param must not make results stale.
    if (input.replacesParam && links.length && !planned.bypass) delete keyParams[input.replacesParam];
    for (const [i, link] of links.entries()) {
      const sourceKey = keyed.get(link.sourceNode)?.cacheKey;
      if (!sourceKey) return undefined;
      upstream.add(link.sourceNode);
      keyInputs.push({ port: input.name, order: i, sourceKey, sourcePort: link.sourcePort });
    }
  }
  const cacheKey = computeCacheKey({
    kind: planned.bypass ? `${planned.def.kind}#bypass` : planned.def.kind,
    kindVersion: planned.def.version,
    params: keyParams,
    inputs: keyInputs,
  });
  return { ...planned, upstream: [...upstream], cacheKey };
}
