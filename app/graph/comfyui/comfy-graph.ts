import { zApiLink, zApiNode, zUiLink, zUiNode, zUiWorkflow, type UiGroup } from './comfy-schema';
import { comfyFormatOf, MAX_COMFY_LINKS, MAX_COMFY_NODES } from './detect';

export { comfyFormatOf } from './detect';
import { isSafeKey, knownOutputTypes, namedWidgets } from './widget-order';

/**
 * One ComfyUI graph read from either format into the same shape, so mapping it is written once.
 * Ids are ComfyUI's, as text; nothing here knows Sequence Studio's node kinds.
 */
export interface ComfyGraph {
  format: 'ui' | 'api';
  nodes: ComfyNode[];
  links: ComfyLink[];
  /** UI groups (frames); the API format has none. */
  groups: ComfyGroup[];
  name?: string;
  /** What could not be read at all (a node or link that is not one), one sentence each. */
  unreadable: string[];
}

export interface ComfyNode {
  id: string;
  type: string;
  title?: string;
  pos?: { x: number; y: number };
  size?: { width: number; height: number };
  /** LiteGraph's title bar and body colours ("#432"), when the user picked one. */
  color?: string;
  bgcolor?: string;
  mode: 'active' | 'muted' | 'bypassed';
  /** Widget values by name; undefined for UI nodes of a type whose widget order we do not know. */
  widgets: Map<string, unknown> | undefined;
  /** The values as the file holds them, kept on placeholders so nothing of the user's is lost. */
  rawWidgets: unknown;
  /** Input slots in order (UI), or the linked inputs (API). */
  inputs: { name: string; type?: string }[];
  outputs: { name?: string; type?: string }[];
  /** A frontend PrimitiveNode: the name of the widget it drives on its targets. */
  drives?: string;
}

/** A UI group: a titled frame; `bounding` includes its title bar. */
export interface ComfyGroup {
  id?: string;
  title: string;
  bounding?: { x: number; y: number; width: number; height: number };
  color?: string;
}

/** A link from an output slot to a named input. */
export interface ComfyLink {
  from: string;
  fromSlot: number;
  to: string;
  toInput: string;
  type?: string;
}

export type ReadResult = { ok: true; graph: ComfyGraph } | { ok: false; code: 'comfyui-bad-shape' | 'comfyui-too-large'; reason: string };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const MODES = new Map<unknown, ComfyNode['mode']>([
  [2, 'muted'],
  [4, 'bypassed'],
]);

/** Reads either format into a {@link ComfyGraph}. Never throws. */
export function readComfyGraph(raw: unknown): ReadResult {
  const format = comfyFormatOf(raw);
  if (format === 'ui') return readUi(raw);
  if (format === 'api') return readApi(raw as Record<string, unknown>);
  return { ok: false, code: 'comfyui-bad-shape', reason: 'This is not a ComfyUI workflow (neither its UI format nor its API format).' };
}

const tooLarge = (what: string, n: number, max: number): ReadResult => ({
  ok: false,
  code: 'comfyui-too-large',
  reason: `This ComfyUI workflow has ${n} ${what}; at most ${max} are imported.`,
});

function readUi(raw: unknown): ReadResult {
  const top = zUiWorkflow.safeParse(raw);
  if (!top.success) return { ok: false, code: 'comfyui-bad-shape', reason: 'This ComfyUI workflow has no readable "nodes" list.' };
  const { nodes: rawNodes, links: rawLinks = [], groups = [], extra, definitions } = top.data;
  if (rawNodes.length > MAX_COMFY_NODES) return tooLarge('nodes', rawNodes.length, MAX_COMFY_NODES);
  if (rawLinks.length > MAX_COMFY_LINKS) return tooLarge('links', rawLinks.length, MAX_COMFY_LINKS);
  const unreadable: string[] = [];
  const nodes: ComfyNode[] = [];
  const parsed: { node: ComfyNode; inputs: { name: string; link: number | null | undefined }[] }[] = [];
  const seen = new Set<string>();
  rawNodes.forEach((value, i) => {
    const n = zUiNode.safeParse(value);
    if (!n.success) {
      unreadable.push(`Entry #${i + 1} of "nodes" is not a ComfyUI node (it needs an id and a type); it was skipped.`);
      return;
    }
    const d = n.data;
    const inputs = (d.inputs ?? []).map((s, slot) => ({ name: s?.name ?? `#${slot}`, type: s?.type, link: s?.link }));
    const node: ComfyNode = {
      id: d.id,
      type: d.type,
      ...(d.title !== undefined ? { title: d.title } : {}),
      ...(d.pos ? { pos: d.pos } : {}),
      ...(d.size ? { size: d.size } : {}),
      ...(d.color !== undefined ? { color: d.color } : {}),
      ...(d.bgcolor !== undefined ? { bgcolor: d.bgcolor } : {}),
      mode: MODES.get(d.mode) ?? 'active',
      widgets: namedWidgets(d.type, d.widgets_values),
      rawWidgets: d.widgets_values,
      inputs: inputs.map(({ name, type }) => ({ name, ...(type !== undefined ? { type } : {}) })),
      outputs: (d.outputs ?? []).map((o) => ({ ...(o?.name !== undefined ? { name: o.name } : {}), ...(o?.type !== undefined ? { type: o.type } : {}) })),
    };
    // A frontend PrimitiveNode says which widget it drives only on its output.
    const drives = d.outputs?.[0]?.widget?.name;
    if (drives !== undefined) node.drives = drives;
    if (seen.has(node.id)) {
      unreadable.push(`Node id ${node.id} is used twice; the second node (${node.type}) was skipped.`);
      return;
    }
    seen.add(node.id);
    nodes.push(node);
    parsed.push({ node, inputs });
  });
  const byId = new Map(parsed.map((p) => [p.node.id, p]));
  const links: ComfyLink[] = [];
  rawLinks.forEach((value, i) => {
    const l = zUiLink.safeParse(value);
    if (!l.success) {
      // Null entries are what the frontend leaves behind for deleted links.
      if (value !== null) unreadable.push(`Link #${i + 1} is not a ComfyUI link; it was skipped.`);
      return;
    }
    const target = byId.get(l.data.to);
    // The input that names this link is authoritative; the slot number is the fallback.
    const input = target?.inputs.find((s) => s.link === l.data.id) ?? target?.inputs[l.data.toSlot];
    if (!target || !input || !byId.has(l.data.from)) {
      unreadable.push(`Link ${l.data.id} joins nodes or slots that are not in the file; it was skipped.`);
      return;
    }
    links.push({ from: l.data.from, fromSlot: l.data.fromSlot, to: l.data.to, toInput: input.name, ...(l.data.type ? { type: l.data.type } : {}) });
  });
  const name = extra?.info?.name;
  const subgraphs = definitions?.subgraphs?.length ?? 0;
  if (subgraphs > 0) unreadable.push(`${subgraphs} subgraph definition(s) are not imported; nodes that use them are kept as placeholders.`);
  return {
    ok: true,
    graph: { format: 'ui', nodes, links, groups: groups.flatMap((g) => (g ? [comfyGroup(g)] : [])), ...(name ? { name } : {}), unreadable },
  };
}

const comfyGroup = (g: UiGroup): ComfyGroup => ({
  title: g.title,
  ...(g.id !== undefined ? { id: g.id } : {}),
  ...(g.bounding ? { bounding: g.bounding } : {}),
  ...(g.color !== undefined ? { color: g.color } : {}),
});

function readApi(raw: Record<string, unknown>): ReadResult {
  const entries = Object.entries(raw);
  if (entries.length > MAX_COMFY_NODES) return tooLarge('nodes', entries.length, MAX_COMFY_NODES);
  const unreadable: string[] = [];
  const nodes: ComfyNode[] = [];
  const pending: ComfyLink[] = [];
  for (const [id, value] of entries) {
    const n = zApiNode.safeParse(value);
    if (!n.success || id.length === 0 || id.length > 200) {
      unreadable.push(`Entry "${id.slice(0, 40)}" is not a ComfyUI node (it needs a class_type); it was skipped.`);
      continue;
    }
    const widgets = new Map<string, unknown>();
    const inputs: ComfyNode['inputs'] = [];
    const given = isObj(n.data.inputs) ? Object.entries(n.data.inputs) : [];
    for (const [name, v] of given.slice(0, 500)) {
      if (!isSafeKey(name)) continue;
      const link = zApiLink.safeParse(v);
      if (link.success) {
        inputs.push({ name });
        pending.push({ from: link.data[0], fromSlot: link.data[1], to: id, toInput: name });
      } else widgets.set(name, v);
    }
    const outputs = (knownOutputTypes(n.data.class_type) ?? []).map((type) => ({ type }));
    const title = n.data._meta?.title;
    nodes.push({
      id,
      type: n.data.class_type,
      ...(title !== undefined ? { title } : {}),
      mode: 'active',
      widgets,
      rawWidgets: Object.fromEntries(widgets),
      inputs,
      outputs,
    });
  }
  if (pending.length > MAX_COMFY_LINKS) return tooLarge('links', pending.length, MAX_COMFY_LINKS);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const links: ComfyLink[] = [];
  for (const l of pending) {
    const source = byId.get(l.from);
    if (!source) {
      unreadable.push(`Input "${l.toInput}" of node ${l.to} is linked from node ${l.from}, which is not in the file; the link was skipped.`);
      continue;
    }
    const type = knownOutputTypes(source.type)?.[l.fromSlot];
    links.push({ ...l, ...(type ? { type } : {}) });
  }
  return { ok: true, graph: { format: 'api', nodes, links, groups: [], unreadable } };
}
