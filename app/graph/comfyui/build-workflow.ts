import { canConnectTypes } from '../ports';
import type { NodeRegistry } from '../registry';
import { CURRENT_SCHEMA_VERSION, type Workflow, type WorkflowEdge, type WorkflowNode, type WorkflowNote } from '../workflow-schema';
import { comfyGroups, comfyNote, isComfyNote, MAX_CANVAS_ITEMS } from './canvas-items';
import type { ComfyGraph, ComfyLink, ComfyNode } from './comfy-graph';
import { counterpartOf, holdsOneValue, placeholderLine, placeholderParams, type Counterpart, type Found } from './counterparts';
import { comfyInputFilesMeta, type ComfyInputFile } from './input-files';
import { layeredPositions } from './layout';
import { resolvePassThrough } from './pass-through';
import { comfyName, shown } from './report';
import { COMFY_DEFAULT_NAME } from './detect';

/** A ComfyUI graph as a Sequence Studio workflow, with what was said on the way. */
export interface Built {
  workflow: Workflow;
  report: string[];
  /** Ids of the nodes kept as placeholders (their kind is unknown here). */
  placeholders: string[];
  /** How many ComfyUI nodes have a counterpart: became nodes or notes, were written into one, or carry a link. */
  mapped: number;
  /** How many of those became notes (a file of notes alone has nothing to run). */
  notes: number;
}

type Role =
  { role: 'mapped'; id: string; cp: Counterpart } | { role: 'placeholder'; id: string } | { role: 'note'; id: string } | { role: 'folded' } | { role: 'gone' };

/** Kind of the placeholder for a ComfyUI type: unknown to the registry, so it is kept, not run. */
const placeholderKind = (type: string) => `comfyui.${type}`.slice(0, 100);

/**
 * Maps every node and link of `graph`: counterparts become our nodes, values fed into widgets
 * are written into them, everything else is kept as a placeholder, and links are kept where
 * both ends have ports here (checked against the registry's port types). Notes and groups
 * become ours (canvas-items.ts). Pure; never throws.
 */
export function buildWorkflow(graph: ComfyGraph, registry: NodeRegistry, say: { askForInputFiles: boolean } = { askForInputFiles: true }): Built {
  const report: string[] = [...graph.unreadable];
  const resolved = resolvePassThrough(graph);
  const links = resolved.links;
  const used = new Set<string>();
  const roles = new Map<string, Role>();
  const outgoing = new Map<string, ComfyLink[]>();
  for (const l of links) {
    const list = outgoing.get(l.from);
    if (list) list.push(l);
    else outgoing.set(l.from, [l]);
  }
  const makeId = (prefix: string, comfyId: string): string => {
    const base = `${prefix}-${comfyId.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 48)}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    return id;
  };
  const keep = (node: ComfyNode): Role => {
    report.push(placeholderLine(node));
    return { role: 'placeholder', id: makeId('comfy', node.id) };
  };

  // Value nodes are decided after the rest: whether one becomes a node depends on what it feeds.
  let noteCount = 0;
  for (const node of graph.nodes) {
    if (holdsOneValue(node) && node.mode === 'active') continue;
    const cp = counterpartOf(node);
    // Notes never run in ComfyUI whatever their mode; past the schema's limit they stay placeholders, so no text is lost.
    if (isComfyNote(node) && noteCount < MAX_CANVAS_ITEMS) {
      noteCount++;
      roles.set(node.id, { role: 'note', id: makeId('note', node.id) });
    } else if (node.type === 'Reroute') roles.set(node.id, { role: 'gone' });
    else if (node.mode !== 'active' || !cp || !registry.get(cp.kind)) roles.set(node.id, keep(node));
    else roles.set(node.id, { role: 'mapped', id: makeId(cp.prefix, node.id), cp });
  }
  const nodesById = new Map(graph.nodes.map((n) => [n.id, n]));
  for (const node of graph.nodes) {
    if (roles.has(node.id)) continue;
    const cp = counterpartOf(node);
    const feeds = outgoing.get(node.id) ?? [];
    const into = (l: ComfyLink) => {
      const r = roles.get(l.to);
      return r?.role === 'mapped' ? r.cp.inputs.has(l.toInput) : undefined;
    };
    const widgetTargets = feeds.filter((l) => into(l) === false);
    // A text stays a node (it may feed a prompt later) unless all it did was fill widgets.
    if (cp && registry.get(cp.kind) && (widgetTargets.length === 0 || feeds.some((l) => into(l) === true))) {
      roles.set(node.id, { role: 'mapped', id: makeId(cp.prefix, node.id), cp });
    } else if (widgetTargets.length > 0) roles.set(node.id, { role: 'folded' });
    else roles.set(node.id, keep(node));
    if (widgetTargets.length > 0) fold(node, widgetTargets);
  }

  function fold(source: ComfyNode, targets: ComfyLink[]): void {
    const value = source.widgets?.get('value');
    const where: string[] = [];
    for (const l of targets) {
      nodesById.get(l.to)?.widgets?.set(l.toInput, value);
      where.push(`“${l.toInput}” of ${comfyName(nodesById.get(l.to)!)}`);
    }
    const control = source.widgets?.get('value.control');
    const changing =
      control === 'randomize' || control === 'increment' || control === 'decrement'
        ? ` (ComfyUI changed it after every run, ${shown(control)}; here it stays)`
        : '';
    report.push(`${comfyName(source)} fed ${where.join(', ')}; its value ${shown(value)} is written there${changing}.`);
  }

  const nodes: WorkflowNode[] = [];
  const notes: WorkflowNote[] = [];
  const inputFiles: ComfyInputFile[] = [];
  const placeholders: string[] = [];
  let mapped = 0;
  for (const node of graph.nodes) {
    const role = roles.get(node.id)!;
    // Folded values and reroutes have a counterpart too: the widget they fill, the link they carry.
    if (role.role === 'folded' || role.role === 'gone') mapped++;
    if (role.role === 'note') {
      mapped++;
      notes.push(comfyNote(node, role.id, report));
      report.push(`The note ${comfyName(node)} became a note.`);
    }
    if (role.role === 'placeholder') {
      placeholders.push(role.id);
      const suffix = node.mode === 'active' ? '' : ` (${node.mode} in ComfyUI)`;
      nodes.push(placed(node, role.id, placeholderKind(node.type), placeholderParams(node), `${node.title ?? node.type}${suffix}`));
    }
    if (role.role !== 'mapped') continue;
    mapped++;
    const found: Found = { report: [] };
    const params = role.cp.params(node, comfyName(node), found);
    report.push(...found.report);
    const custom = node.title !== undefined && !role.cp.defaultTitles.includes(node.title) ? node.title : undefined;
    let title = custom;
    if (found.inputFile !== undefined) {
      title = `${custom ?? 'Load Image'}: ${found.inputFile}`;
      inputFiles.push({ node: role.id, file: found.inputFile });
      if (say.askForInputFiles) report.push(`${comfyName(node)} used ${shown(found.inputFile)} from ComfyUI's input folder: choose that file on the node.`);
    }
    nodes.push(placed(node, role.id, role.cp.kind, params, title));
  }

  const edges: WorkflowEdge[] = [];
  for (const l of links) {
    const from = roles.get(l.from);
    const to = roles.get(l.to);
    const source = nodesById.get(l.from)!;
    const target = nodesById.get(l.to)!;
    // Notes have no slots in ComfyUI; a link naming one (a hand-edited file) has nothing to join here.
    if (!from || !to || from.role === 'folded' || from.role === 'gone' || from.role === 'note' || (to.role !== 'mapped' && to.role !== 'placeholder')) continue;
    if (to.role === 'placeholder') {
      if (from.role === 'mapped') report.push(`The link from ${comfyName(source)} into ${comfyName(target)} was dropped: that node is not imported.`);
      continue;
    }
    if (from.role === 'placeholder') {
      report.push(`Input “${l.toInput}” of ${comfyName(target)} was fed by ${comfyName(source)}, which is not imported; it is left unlinked.`);
      continue;
    }
    const inPort = to.cp.inputs.get(l.toInput);
    const outPort = from.cp.outputs[l.fromSlot];
    if (!inPort) {
      report.push(
        `Input “${l.toInput}” of ${comfyName(target)} was fed by ${comfyName(source)}; that link has no counterpart here, so the value saved on the node (or its default) is used.`,
      );
      continue;
    }
    if (outPort === undefined) {
      report.push(`Output ${l.type ?? `#${l.fromSlot}`} of ${comfyName(source)} has no counterpart here; its link into ${comfyName(target)} was dropped.`);
      continue;
    }
    const outType = registry.get(from.cp.kind)?.outputs.find((p) => p.name === outPort)?.type;
    const inType = registry.get(to.cp.kind)?.inputs.find((p) => p.name === inPort.port)?.type;
    if (!outType || !inType || !canConnectTypes(outType, inType)) {
      report.push(`The link from ${comfyName(source)} into input “${l.toInput}” of ${comfyName(target)} joins types that do not fit here; it was dropped.`);
      continue;
    }
    edges.push({ id: `link-${edges.length + 1}`, source: { node: from.id, port: outPort }, target: { node: to.id, port: inPort.port }, order: inPort.order });
  }
  report.push(...resolved.report);

  // Laid out by ComfyUI's links, dropped ones included, so a placeholder sits where it was used.
  const idOf = (comfyId: string) => {
    const r = roles.get(comfyId);
    return r && 'id' in r ? r.id : undefined;
  };
  const pairs = links.flatMap((l) => {
    const [a, b] = [idOf(l.from), idOf(l.to)];
    return a && b ? [[a, b] as const] : [];
  });
  const positions = layeredPositions([...nodes, ...notes], pairs);
  const at = <T extends { id: string; position: { x: number } }>(n: T): T => (Number.isNaN(n.position.x) ? { ...n, position: positions.get(n.id)! } : n);
  const placedNodes = nodes.map(at);
  const placedNotes = notes.map(at);
  const sizes = new Map(graph.nodes.flatMap((n) => (n.size ? [[idOf(n.id), n.size] as const] : [])));
  const items = [...placedNodes.map((n) => ({ id: n.id, position: n.position, size: sizes.get(n.id) })), ...placedNotes];
  const groups = comfyGroups(graph.groups, items, (comfyId) => makeId('group', comfyId), report);
  const workflow: Workflow = {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    nodes: placedNodes,
    edges,
    ...(placedNotes.length ? { notes: placedNotes } : {}),
    ...(groups.length ? { groups } : {}),
    meta: { name: (graph.name ?? COMFY_DEFAULT_NAME).slice(0, 200), comfyui: comfyInputFilesMeta(graph.format, inputFiles) },
  };
  return { workflow, report, placeholders, mapped, notes: notes.length };
}

/** A node at its ComfyUI position, or marked (NaN) for the layout when it has none. */
function placed(node: ComfyNode, id: string, kind: string, params: Record<string, unknown>, title: string | undefined): WorkflowNode {
  const position = node.pos ?? { x: Number.NaN, y: Number.NaN };
  // Version 1: the contract these params are written for; a newer kind migrates them on load.
  return { id, kind, kindVersion: 1, params, position, ...(title !== undefined ? { title: title.slice(0, 200) } : {}) };
}
