import { findCycles } from '../graph/cycles';
import { hasErrors, type Issue } from '../graph/issues';
import { ancestorsOf } from '../graph/links';
import type { LinkInfo, NodeDefinition } from '../graph/node-definition';
import type { NodeRegistry } from '../graph/registry';
import { topoOrder } from '../graph/topo-order';
import type { Workflow, WorkflowNode } from '../graph/workflow-schema';
import { computeCacheKey, type CacheKeyInput } from './cache-key';
import { checkLinks, type PlannedLink } from './plan-links';
import { errorText, nodeLabel, resolveParams } from './plan-params';

export type { PlannedLink } from './plan-links';

/** A node the executor will run, with everything resolved up front. */
export interface PlannedNode {
  readonly id: string;
  readonly node: WorkflowNode;
  readonly def: NodeDefinition;
  /** Params migrated and parsed by the kind's schema. */
  readonly params: Record<string, unknown>;
  /** Per input port of the definition (every port, `[]` when unlinked): links in merge order. */
  readonly inputs: Readonly<Record<string, readonly PlannedLink[]>>;
  /** The distinct nodes this one reads from. */
  readonly upstream: readonly string[];
  /** Merkle key of this node's result (see computeCacheKey). */
  readonly cacheKey: string;
}

/** The outcome of planning: every problem found, and what would run in which order. */
export interface RunPlan {
  /** True when no issue is an error: the run may start. */
  readonly ok: boolean;
  /** Errors and warnings, each naming its node (and param or port) where it has one. */
  readonly issues: Issue[];
  /**
   * The nodes to run (outputs and what feeds them, or the targets and their ancestors) in
   * topological order. Nodes that cannot be ordered (on or after a cycle) come last in file order.
   */
  readonly order: string[];
  /** The runnable nodes by id. When `ok` is false it holds only the nodes that fully resolved. */
  readonly nodes: Map<string, PlannedNode>;
}

export interface PlanOptions {
  /** "Run to here": plan these nodes and their ancestors instead of every output node. */
  targets?: readonly string[];
}

/**
 * Validates a workflow against the registry and plans a run, without running anything. Every
 * node is checked (kind, version, params, links, custom `validate`); problems on nodes that
 * the run does not need are reported as warnings, so a half-built branch does not block it.
 */
export function planRun(workflow: Workflow, registry: NodeRegistry, options: PlanOptions = {}): RunPlan {
  const issues: Issue[] = [];
  const defs = new Map<string, NodeDefinition | undefined>();
  const params = new Map<string, Record<string, unknown>>();
  const broken = new Set<string>();

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

  const pruned = pruneSet(workflow, defs, options.targets, issues);

  for (const cycle of findCycles(workflow)) {
    for (const id of cycle) broken.add(id);
    issues.push({
      severity: 'error',
      code: 'cycle',
      nodeId: cycle[0],
      message: `These nodes feed each other in a loop: ${cycle.join(' → ')}. Remove one of these links.`,
    });
  }

  const kindOf = new Map(workflow.nodes.map((n) => [n.id, n.kind] as const));
  // A source whose output is one of its params (a Prompt's text) tells the nodes it feeds what they get.
  const knownText = (sourceNode: string, port: string): string | undefined => {
    const stat = defs.get(sourceNode)?.traits?.staticOutput;
    const value = stat && stat.port === port ? params.get(sourceNode)?.[stat.param] : undefined;
    return typeof value === 'string' ? value : undefined;
  };
  for (const node of workflow.nodes) {
    const def = defs.get(node.id);
    const p = params.get(node.id);
    if (!def?.validate || !p) continue;
    for (const found of runValidate(node, def, p, linkCheck.links.get(node.id), { kindOf, knownText }, issues)) {
      if (found.severity === 'error') broken.add(node.id);
    }
  }

  // Problems on nodes this run does not need are shown but do not block it.
  for (const issue of issues) {
    if (issue.severity === 'error' && issue.nodeId !== undefined && !pruned.has(issue.nodeId)) issue.severity = 'warning';
  }

  const prunedNodes = workflow.nodes.filter((n) => pruned.has(n.id));
  const topo = topoOrder({ nodes: prunedNodes, edges: linkCheck.validEdges });
  const order = topo.ok ? topo.order : [...topo.order, ...topo.rest];

  const candidates = new Map<string, PlannedNode>();
  for (const node of prunedNodes) {
    const def = defs.get(node.id);
    const p = params.get(node.id);
    if (!def || !p || broken.has(node.id)) continue;
    const ports = linkCheck.links.get(node.id);
    const inputs: Record<string, readonly PlannedLink[]> = {};
    for (const input of def.inputs) inputs[input.name] = ports?.get(input.name) ?? [];
    candidates.set(node.id, { id: node.id, node, def, params: p, inputs, upstream: [], cacheKey: '' });
  }
  // Keys in topological order: a key needs every upstream key, so a node after a broken one
  // (or on a cycle) gets none and is left out. Inserting in run order keeps `nodes` iterable in it.
  const nodes = new Map<string, PlannedNode>();
  for (const id of order) {
    const candidate = candidates.get(id);
    const planned = candidate && withCacheKey(candidate, nodes);
    if (planned) nodes.set(id, planned);
  }
  return { ok: !hasErrors(issues), issues, order, nodes };
}

/** The set of nodes to run: targets (or output nodes) and everything they depend on. */
function pruneSet(
  workflow: Workflow,
  defs: ReadonlyMap<string, NodeDefinition | undefined>,
  targets: readonly string[] | undefined,
  issues: Issue[],
): Set<string> {
  let roots: string[];
  if (targets?.length) {
    roots = targets.filter((t) => defs.has(t));
    for (const t of targets.filter((x) => !defs.has(x))) {
      issues.push({ severity: 'error', code: 'unknown-target', message: `Cannot run to "${t}": there is no such node.` });
    }
  } else {
    roots = workflow.nodes.filter((n) => defs.get(n.id)?.isOutput).map((n) => n.id);
    if (roots.length === 0 && workflow.nodes.length > 0) {
      issues.push({
        severity: 'error',
        code: 'no-outputs',
        message: 'Nothing to run: the workflow has no output node (such as Preview or Save). Add one, or run to a chosen node.',
      });
    }
  }
  return ancestorsOf(workflow, roots);
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

/** The node with its Merkle key, or undefined when an upstream node has no key. */
function withCacheKey(planned: PlannedNode, keyed: ReadonlyMap<string, PlannedNode>): PlannedNode | undefined {
  const keyInputs: CacheKeyInput[] = [];
  const upstream = new Set<string>();
  const keyParams = { ...planned.params };
  for (const input of planned.def.inputs) {
    const links = planned.inputs[input.name] ?? [];
    // A linked input replaces its param, so the hidden param must not make results stale.
    if (input.replacesParam && links.length) delete keyParams[input.replacesParam];
    for (const [i, link] of links.entries()) {
      const sourceKey = keyed.get(link.sourceNode)?.cacheKey;
      if (!sourceKey) return undefined;
      upstream.add(link.sourceNode);
      keyInputs.push({ port: input.name, order: i, sourceKey, sourcePort: link.sourcePort });
    }
  }
  const cacheKey = computeCacheKey({
    kind: planned.def.kind,
    kindVersion: planned.def.version,
    params: keyParams,
    inputs: keyInputs,
  });
  return { ...planned, upstream: [...upstream], cacheKey };
}
