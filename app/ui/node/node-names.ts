import type { NodeRegistry } from '../../graph/registry';
import type { WorkflowNode } from '../../graph/workflow-schema';
import { widgetsFor } from './widgets/widget-spec';

/** How a node is named where several nodes are listed (Run panel, cost dialog). */
export interface NodeName {
  /** Its own title, else its kind's. */
  title: string;
  /** `#2` among the nodes sharing its title, in canvas order; undefined when the title is unique. */
  ordinal?: number;
  /** For a shared title: the start of its first text param (a prompt, a prefix), to tell it apart at a glance. */
  hint?: string;
}

const HINT_CHARS = 32;
const cache = new WeakMap<readonly WorkflowNode[], Map<string, NodeName>>();

function hintOf(node: WorkflowNode, registry: NodeRegistry): string | undefined {
  const def = registry.get(node.kind);
  if (!def) return undefined;
  for (const spec of widgetsFor(def)) {
    if (spec.widget !== 'text' && spec.widget !== 'textarea') continue;
    const value = node.params[spec.name];
    if (typeof value !== 'string' || value.trim() === '') continue;
    const text = value.trim().replace(/\s+/g, ' ');
    return text.length > HINT_CHARS ? `${text.slice(0, HINT_CHARS - 1).trimEnd()}…` : text;
  }
  return undefined;
}

/** Every node's name, through an index built once per nodes array. */
export function nodeNames(nodes: readonly WorkflowNode[], registry: NodeRegistry): ReadonlyMap<string, NodeName> {
  let names = cache.get(nodes);
  if (names) return names;
  const titleOf = (n: WorkflowNode) => n.title ?? registry.get(n.kind)?.title ?? n.kind;
  const count = new Map<string, number>();
  for (const n of nodes) count.set(titleOf(n), (count.get(titleOf(n)) ?? 0) + 1);
  const seen = new Map<string, number>();
  names = new Map();
  for (const n of nodes) {
    const title = titleOf(n);
    if ((count.get(title) ?? 0) < 2) {
      names.set(n.id, { title });
      continue;
    }
    const ordinal = (seen.get(title) ?? 0) + 1;
    seen.set(title, ordinal);
    const hint = hintOf(n, registry);
    names.set(n.id, { title, ordinal, ...(hint ? { hint } : {}) });
  }
  cache.set(nodes, names);
  return names;
}

/** "Seedream 4.5 Edit Sequential #2". */
export const numberedTitle = (name: NodeName): string => (name.ordinal ? `${name.title} #${name.ordinal}` : name.title);
