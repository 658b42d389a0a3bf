import type { Issue } from '../graph/issues';
import type { NodeRegistry } from '../graph/registry';
import type { Workflow } from '../graph/workflow-schema';
import { canonicalJson } from '../lib/hash';
import type { StudioEngine } from './engine-port';
import type { Analysis } from './store-types';

const NO_ISSUES: readonly Issue[] = [];

export const emptyAnalysis: Analysis = { issuesByNode: new Map(), globalIssues: NO_ISSUES, cacheKeys: new Map() };

/**
 * Whether an edit can change what the planner says: links, node set, kinds, params, modes
 * (bypass, mute) or titles (its messages name nodes by title). Moves, colours, pins, notes and
 * groups cannot, so a drag never re-plans. O(nodes) identity checks.
 */
export function structureChanged(prev: Workflow, next: Workflow): boolean {
  if (prev === next) return false;
  if (prev.edges !== next.edges || prev.nodes.length !== next.nodes.length) return true;
  for (let i = 0; i < next.nodes.length; i++) {
    const a = prev.nodes[i]!;
    const b = next.nodes[i]!;
    if (a === b) continue;
    if (a.id !== b.id || a.kind !== b.kind || a.kindVersion !== b.kindVersion || a.params !== b.params) return true;
    if (a.mode !== b.mode || a.title !== b.title) return true;
  }
  return false;
}

/**
 * Plans every node (so warnings show on nodes that feed no output too) and indexes the issues
 * and cache keys by node. Issue lists equal to the previous ones keep their identity, so a node
 * whose issues did not change does not re-render.
 */
export function analyze(workflow: Workflow, registry: NodeRegistry, engine: StudioEngine, prev: Analysis): Analysis {
  let plan;
  try {
    plan = engine.planRun(workflow, registry, { targets: workflow.nodes.map((n) => n.id) });
  } catch (err) {
    const message = `The workflow could not be checked: ${err instanceof Error ? err.message : String(err)}`;
    return { issuesByNode: new Map(), globalIssues: [{ severity: 'error', code: 'plan-failed', message }], cacheKeys: new Map() };
  }
  const grouped = new Map<string, Issue[]>();
  const globalIssues: Issue[] = [];
  for (const issue of plan.issues) {
    if (!issue.nodeId) {
      globalIssues.push(issue);
      continue;
    }
    const list = grouped.get(issue.nodeId);
    if (list) list.push(issue);
    else grouped.set(issue.nodeId, [issue]);
  }
  const issuesByNode = new Map<string, readonly Issue[]>();
  for (const [id, list] of grouped) {
    const old = prev.issuesByNode.get(id);
    issuesByNode.set(id, old && canonicalJson(old) === canonicalJson(list) ? old : list);
  }
  const cacheKeys = new Map<string, string>();
  for (const [id, info] of plan.nodes) cacheKeys.set(id, info.cacheKey);
  return { issuesByNode, globalIssues, cacheKeys };
}
