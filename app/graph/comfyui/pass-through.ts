import type { ComfyGraph, ComfyLink, ComfyNode } from './comfy-graph';
import { comfyName } from './report';

/** Nodes that only pass a value on: frontend reroutes, and nodes bypassed in ComfyUI (mode 4). */
export const passesThrough = (node: ComfyNode): boolean => node.type === 'Reroute' || node.mode === 'bypassed';

const sameType = (a: string | undefined, b: string | undefined) => a === undefined || b === undefined || a === '*' || b === '*' || a === b;

/**
 * The links as ComfyUI runs them: a link out of a reroute or a bypassed node is traced back to
 * what feeds it, as ComfyUI's frontend does when it queues a prompt (a bypassed node hands on
 * its input of the link's type, the one at the same slot first). Links into such nodes are
 * consumed here. A chain that leads nowhere (or loops) is dropped and reported.
 */
export function resolvePassThrough(graph: ComfyGraph): { links: ComfyLink[]; report: string[] } {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const incoming = new Map<string, ComfyLink[]>();
  for (const l of graph.links) {
    const list = incoming.get(l.to);
    if (list) list.push(l);
    else incoming.set(l.to, [l]);
  }
  const report: string[] = [];
  const links: ComfyLink[] = [];
  for (const link of graph.links) {
    const target = byId.get(link.to);
    if (!target || passesThrough(target)) continue;
    let current: ComfyLink | undefined = link;
    let steps = 0;
    while (current) {
      const source: ComfyNode | undefined = byId.get(current.from);
      if (!source || !passesThrough(source)) break;
      // Each step moves to another node, so more steps than nodes means a loop.
      if (++steps > graph.nodes.length) {
        report.push(`Input "${link.toInput}" of ${comfyName(target)} is fed through reroutes or bypassed nodes that loop; it was left unlinked.`);
        current = undefined;
        break;
      }
      const feeding: ComfyLink[] = incoming.get(source.id) ?? [];
      const type: string | undefined = current.type ?? link.type;
      const atSlot: string | undefined = source.inputs[current.fromSlot]?.name;
      const next: ComfyLink | undefined =
        source.type === 'Reroute'
          ? feeding[0]
          : (feeding.find((l) => l.toInput === atSlot && sameType(l.type, type)) ?? feeding.find((l) => sameType(l.type, type)));
      if (!next) {
        const why =
          source.type === 'Reroute'
            ? 'an unconnected reroute'
            : `${comfyName(source)}, which was bypassed in ComfyUI and has no ${type ?? 'matching'} input to pass on`;
        report.push(`Input "${link.toInput}" of ${comfyName(target)} came through ${why}; it was left unlinked.`);
      }
      current = next && { ...next, type: next.type ?? type };
    }
    if (current) links.push({ ...current, to: link.to, toInput: link.toInput });
  }
  return { links, report };
}
