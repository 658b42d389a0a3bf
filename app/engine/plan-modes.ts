import type { Issue } from '../graph/issues';
import type { NodeDefinition } from '../graph/node-definition';
import { canConnectTypes, type ImageRef, type PortType, type PortValue } from '../graph/ports';
import type { Workflow, WorkflowNode } from '../graph/workflow-schema';
import type { PlannedLink } from './plan-links';
import { nodeLabel } from './plan-params';

/**
 * What a bypassed node hands on: per output port, the input whose value it passes (the first
 * input of a type that fits the output), or undefined when none fits.
 */
export type BypassPorts = Readonly<Record<string, string | undefined>>;

/** Why a planned node will not run: it is muted, or it needs the output of a muted node (`because`). */
export interface MutedSkip {
  readonly reason: 'muted';
  /** The muted node it depends on; absent for the muted node itself. */
  readonly because?: string;
}

/** A node the run covers but will not run, with what the cost estimate needs to list it. */
export interface SkippedNode extends MutedSkip {
  readonly node: WorkflowNode;
  /** Undefined for a node of an unknown kind. */
  readonly def: NodeDefinition | undefined;
}

/** For each output of `def`, the first input whose type may feed it (`image` → `image-list` too). */
export function bypassPorts(def: NodeDefinition): BypassPorts {
  const ports: Record<string, string | undefined> = {};
  for (const out of def.outputs) ports[out.name] = def.inputs.find((input) => canConnectTypes(input.type, out.type))?.name;
  return ports;
}

/** The inputs a bypassed node passes on (the only ones it needs). */
export const passedInputs = (ports: BypassPorts): Set<string> => new Set(Object.values(ports).filter((p): p is string => p !== undefined));

/** The value a bypassed node's output carries, from the value of the input it passes. */
function passValue(value: PortValue | undefined, from: PortType, to: PortType): PortValue | undefined {
  if (value === undefined) return undefined;
  return from === 'image' && to === 'image-list' ? [value as ImageRef] : value;
}

/** A bypassed node's outputs from its input values: each output the value of the input it passes (absent when that got nothing). */
export function passedOutputs(def: NodeDefinition, ports: BypassPorts, inputs: Readonly<Record<string, PortValue | undefined>>): Record<string, PortValue> {
  const out: Record<string, PortValue> = {};
  for (const port of def.outputs) {
    const from = ports[port.name];
    const input = from === undefined ? undefined : def.inputs.find((p) => p.name === from);
    const value = input && passValue(inputs[input.name], input.type, port.type);
    if (value !== undefined) out[port.name] = value;
  }
  return out;
}

export interface ModeScope {
  /** The nodes the run needs (targets or outputs and what they depend on, as modes allow). */
  readonly needed: Set<string>;
  /** Needed nodes that will not run, in file order. */
  readonly skipped: Map<string, SkippedNode>;
}

/**
 * Which nodes a run needs, given node modes: from the roots backwards along links, except into a
 * muted node (it never runs, so what feeds it is not needed for it) and into the inputs a bypassed
 * node does not pass on. A needed node that is muted or depends on a muted one is skipped, and
 * what feeds only skipped nodes is not needed.
 */
export function modeScope(
  workflow: Workflow,
  defs: ReadonlyMap<string, NodeDefinition | undefined>,
  bypass: ReadonlyMap<string, BypassPorts>,
  roots: readonly string[],
): ModeScope {
  const byId = new Map(workflow.nodes.map((n) => [n.id, n] as const));
  const into = new Map<string, { source: string; port: string }[]>();
  for (const e of workflow.edges) {
    if (!byId.has(e.source.node)) continue;
    const list = into.get(e.target.node);
    const link = { source: e.source.node, port: e.target.port };
    if (list) list.push(link);
    else into.set(e.target.node, [link]);
  }
  const feeds = (id: string): string[] => {
    const links = into.get(id) ?? [];
    const ports = bypass.get(id);
    if (!ports) return links.map((l) => l.source);
    const passed = passedInputs(ports);
    return links.filter((l) => passed.has(l.port)).map((l) => l.source);
  };
  const isMuted = (id: string) => byId.get(id)?.mode === 'mute';

  // Which muted node each node depends on (memoised; a cycle resolves to "none" on the way round).
  const mutedBy = new Map<string, string | null>();
  const dependsOnMuted = (start: string): string | null => {
    const stack: { id: string; next: number; sources: string[] }[] = [];
    const open = new Set<string>();
    const enter = (id: string) => {
      open.add(id);
      stack.push({ id, next: 0, sources: isMuted(id) ? [] : feeds(id) });
    };
    if (mutedBy.has(start)) return mutedBy.get(start)!;
    enter(start);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (isMuted(top.id)) {
        mutedBy.set(top.id, top.id);
      } else if (top.next < top.sources.length) {
        const source = top.sources[top.next++]!;
        if (!mutedBy.has(source) && !open.has(source)) enter(source);
        continue;
      } else {
        const hit = top.sources.map((s) => mutedBy.get(s)).find((m) => m !== undefined && m !== null);
        mutedBy.set(top.id, hit ?? null);
      }
      open.delete(top.id);
      stack.pop();
    }
    return mutedBy.get(start)!;
  };

  const needed = new Set<string>();
  const skipped = new Map<string, MutedSkip>();
  const pending = roots.filter((id) => byId.has(id) && defs.has(id));
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    if (needed.has(id)) continue;
    needed.add(id);
    const muted = dependsOnMuted(id);
    if (muted === null) {
      pending.push(...feeds(id));
      continue;
    }
    skipped.set(id, muted === id ? { reason: 'muted' } : { reason: 'muted', because: muted });
    // The muted nodes it waits for are listed (and shown muted); what feeds only them is not needed.
    if (muted !== id) pending.push(...feeds(id).filter((source) => dependsOnMuted(source) !== null));
  }
  const ordered = new Map<string, SkippedNode>();
  for (const n of workflow.nodes) {
    const s = skipped.get(n.id);
    if (s) ordered.set(n.id, { ...s, node: n, def: defs.get(n.id) });
  }
  return { needed, skipped: ordered };
}

/**
 * Drops the links out of bypassed nodes that carry nothing (the node passes no input to that
 * output, or its passed input got nothing), in run order so chains of bypassed nodes resolve.
 * A required input left with no link is an error on the node it feeds, naming the bypassed node.
 * Mutates `inputs` (the planner's per-node input links) and returns the issues.
 */
export function dropEmptyPassThroughs(
  order: readonly string[],
  inputs: Map<string, Record<string, readonly PlannedLink[]>>,
  defs: ReadonlyMap<string, NodeDefinition | undefined>,
  bypass: ReadonlyMap<string, BypassPorts>,
  nodesById: ReadonlyMap<string, { id: string; title?: string }>,
): Issue[] {
  const issues: Issue[] = [];
  const yields = (source: string, port: string): boolean => {
    const ports = bypass.get(source);
    if (!ports) return true;
    const passed = ports[port];
    return passed !== undefined && (inputs.get(source)?.[passed]?.length ?? 0) > 0;
  };
  const label = (id: string) => nodeLabel(nodesById.get(id) ?? { id }, defs.get(id));
  for (const id of order) {
    const ports = inputs.get(id);
    const def = defs.get(id);
    if (!ports || !def) continue;
    for (const input of def.inputs) {
      const links = ports[input.name] ?? [];
      const kept = links.filter((l) => yields(l.sourceNode, l.sourcePort));
      if (kept.length === links.length) continue;
      ports[input.name] = kept;
      const dropped = links.find((l) => !kept.includes(l))!;
      if (kept.length === 0 && !input.optional && !input.replacesParam && !bypass.has(id)) {
        const passes = bypass.get(dropped.sourceNode)?.[dropped.sourcePort];
        const why = passes ? `its input "${passes}" is not linked, so it has nothing to pass on` : `it has no input of type ${dropped.sourceType} to pass on`;
        issues.push({
          severity: 'error',
          code: 'bypass-passes-nothing',
          nodeId: id,
          field: input.name,
          message: `Input "${input.name}" of ${label(id)} gets nothing: ${label(dropped.sourceNode)} is bypassed and ${why}. Link one, or stop bypassing it.`,
        });
      }
    }
  }
  return issues;
}
