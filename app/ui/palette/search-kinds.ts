import type { NodeDefinition } from '../../graph/node-definition';
import { canConnectTypes, type PortType } from '../../graph/ports';
import type { NodeRegistry } from '../../graph/registry';

/** Palette order of categories; unknown ones come after, alphabetically. */
export const CATEGORY_ORDER = ['Input', 'Generate', 'Frames', 'Output'];

/** A dangling link's open end: a type leaving an output, or a type an input wants. */
export interface LinkNeed {
  side: 'source' | 'target';
  type: PortType;
}

/** Whether a kind has a port the dangling link could attach to. */
export function fitsLink(def: NodeDefinition, need: LinkNeed): boolean {
  return need.side === 'source' ? def.inputs.some((p) => canConnectTypes(need.type, p.type)) : def.outputs.some((p) => canConnectTypes(p.type, need.type));
}

/**
 * Kinds matching a search, best first: every word of the query must appear in the title, kind,
 * category or description; title matches rank above the rest. Deprecated kinds are left out.
 */
export function searchKinds(registry: NodeRegistry, query: string, need?: LinkNeed | readonly LinkNeed[]): NodeDefinition[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const needs: readonly LinkNeed[] = need === undefined ? [] : 'side' in need ? [need] : need;
  const scored: { def: NodeDefinition; score: number; i: number }[] = [];
  registry.list().forEach((def, i) => {
    if (def.deprecated || !needs.every((n) => fitsLink(def, n))) return;
    const title = def.title.toLowerCase();
    const hay = `${title} ${def.kind} ${def.category} ${def.description}`.toLowerCase();
    if (!words.every((w) => hay.includes(w))) return;
    const score = words.reduce((s, w) => s + (title.startsWith(w) ? 3 : title.includes(w) ? 2 : 0), 0);
    scored.push({ def, score, i });
  });
  return scored.sort((a, b) => b.score - a.score || a.i - b.i).map((x) => x.def);
}

/** Kinds grouped by category in palette order. */
export function groupByCategory(defs: readonly NodeDefinition[]): [string, NodeDefinition[]][] {
  const groups = new Map<string, NodeDefinition[]>();
  for (const def of defs) {
    const list = groups.get(def.category);
    if (list) list.push(def);
    else groups.set(def.category, [def]);
  }
  const rank = (c: string) => {
    const i = CATEGORY_ORDER.indexOf(c);
    return i === -1 ? CATEGORY_ORDER.length : i;
  };
  return [...groups].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}
