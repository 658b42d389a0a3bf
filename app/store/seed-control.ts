import { z } from 'zod';
import type { NodeDefinition } from '../graph/node-definition';
import type { NodeRegistry } from '../graph/registry';
import type { Workflow } from '../graph/workflow-schema';
import { setParam } from './graph-ops';

/**
 * ComfyUI's `control_after_generate`: what a seed widget does after each queued run. The run
 * takes the value shown; then the widget moves on (fixed: stays; increment/decrement: ±1;
 * randomize: a new value), clamped to the param's bounds as ComfyUI clamps it.
 */
export const SEED_MODES = ['fixed', 'increment', 'decrement', 'randomize'] as const;
export const zSeedMode = z.enum(SEED_MODES);
export type SeedMode = z.infer<typeof zSeedMode>;

/** One seed param of a node in a workflow, with the bounds its kind gives it. */
export interface SeedSlot {
  nodeId: string;
  param: string;
  value: number;
  min: number;
  max: number;
}

interface SeedParam {
  name: string;
  min: number;
  max: number;
  /** What the node uses when the workflow does not set it. */
  fallback: number;
}

const byDef = new WeakMap<NodeDefinition, readonly SeedParam[]>();

/** The params a kind draws with the seed widget (read through `z.toJSONSchema`, as the widgets are). */
export function seedParamsOf(def: NodeDefinition): readonly SeedParam[] {
  const known = byDef.get(def);
  if (known) return known;
  const schema = z.toJSONSchema(def.params as z.ZodType, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, { widget?: unknown; minimum?: unknown; maximum?: unknown; default?: unknown }>;
  };
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const found = Object.entries(schema.properties ?? {}).flatMap(([name, p]) => {
    if (p.widget !== 'seed') return [];
    const min = num(p.minimum) ?? 0;
    return [{ name, min, max: num(p.maximum) ?? Number.MAX_SAFE_INTEGER, fallback: num(p.default) ?? min }];
  });
  byDef.set(def, found);
  return found;
}

/** Every seed in the workflow, in node order; one the workflow does not set reads as its default. */
export function seedsOf(workflow: Workflow, registry: NodeRegistry): SeedSlot[] {
  return workflow.nodes.flatMap((node) => {
    const def = registry.get(node.kind);
    return def
      ? seedParamsOf(def).map((p) => {
          const raw = node.params[p.name];
          return { nodeId: node.id, param: p.name, value: typeof raw === 'number' ? raw : p.fallback, min: p.min, max: p.max };
        })
      : [];
  });
}

/** The value a seed widget shows after one queued run. `random` returns [0, 1). */
export function nextSeed(mode: SeedMode, slot: Pick<SeedSlot, 'value' | 'min' | 'max'>, random: () => number): number {
  let v = slot.value;
  if (mode === 'increment') v += 1;
  else if (mode === 'decrement') v -= 1;
  else if (mode === 'randomize') v = slot.min + Math.floor(random() * (slot.max - slot.min + 1));
  return Math.min(slot.max, Math.max(slot.min, v));
}

/** The workflow with these seed values, by node and param (the same object when no seed changes). */
export function withSeeds(workflow: Workflow, slots: readonly SeedSlot[], registry: NodeRegistry): Workflow {
  const key = (s: Pick<SeedSlot, 'nodeId' | 'param'>) => `${s.nodeId}\u0000${s.param}`;
  const current = new Map(seedsOf(workflow, registry).map((s) => [key(s), s.value]));
  let next = workflow;
  for (const s of slots) {
    if (current.has(key(s)) && current.get(key(s)) !== s.value) next = setParam(next, s.nodeId, s.param, s.value);
  }
  return next;
}

export interface SeedVariations {
  /** What each run takes: the first the graph as it is, each next one with every seed moved on once more. */
  snapshots: Workflow[];
  /** The seeds of each snapshot, in `seedsOf` order. */
  seeds: number[][];
  /** The graph after queueing them: the widgets moved on once per queued run (the same object with `fixed` or no seeds). */
  after: Workflow;
}

/** `count` snapshots of the graph with ComfyUI's seed control applied after each one. */
export function seedVariations(workflow: Workflow, registry: NodeRegistry, count: number, mode: SeedMode, random: () => number = Math.random): SeedVariations {
  let slots = seedsOf(workflow, registry);
  const snapshots: Workflow[] = [];
  const seeds: number[][] = [];
  for (let i = 0; i < count; i++) {
    snapshots.push(i === 0 ? workflow : withSeeds(workflow, slots, registry));
    seeds.push(slots.map((s) => s.value));
    slots = slots.map((s) => ({ ...s, value: nextSeed(mode, s, random) }));
  }
  return { snapshots, seeds, after: mode === 'fixed' ? workflow : withSeeds(workflow, slots, registry) };
}
