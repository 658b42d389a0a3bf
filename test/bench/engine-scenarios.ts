import { z } from 'zod';
import { planRun } from '../../app/engine/plan';
import { runGraph } from '../../app/engine/run-graph';
import { createRegistry, defineNode, type NodeRegistry } from '../../app/graph/registry';
import { topoOrder } from '../../app/graph/topo-order';
import { CURRENT_SCHEMA_VERSION, type Workflow } from '../../app/graph/workflow-schema';
import { FakeClock } from '../fixtures/fake-clock';
import { graph } from '../fixtures/graph-builder';
import { fakeServices } from '../fixtures/run-harness';
import { createStubKit } from '../fixtures/stub-kinds';

/** One makespan scenario: a graph whose `stub.slow` nodes are the jobs (their `ms` param). */
export interface MakespanScenario {
  name: string;
  concurrency: number;
  workflow: Workflow;
}

export interface MakespanRow {
  name: string;
  jobs: number;
  concurrency: number;
  makespanMs: number;
  criticalPathMs: number;
  workPerSlotMs: number;
  /** max(critical path, Σ job time ÷ concurrency): no scheduler can beat it. */
  limitMs: number;
  ratio: number;
}

/** The four shapes from the brief; instant source/sink nodes frame timed edit jobs. */
export function makespanScenarios(): MakespanScenario[] {
  const chain = graph().node('src', 'stub.source').node('sink', 'stub.sink');
  [800, 1200, 1000, 900, 1100].forEach((ms, i) => chain.node(`e${i}`, 'stub.slow', { ms, label: `e${i}` }));
  chain.edge('src.out', 'e0.in');
  for (let i = 1; i < 5; i++) chain.edge(`e${i - 1}.out`, `e${i}.in`);
  chain.edge('e4.out', 'sink.in');

  const fan = graph().node('src', 'stub.source').node('sink', 'stub.sink');
  for (let i = 0; i < 8; i++)
    fan
      .node(`f${i}`, 'stub.slow', { ms: 1000, label: `f${i}` })
      .edge('src.out', `f${i}.in`)
      .edge(`f${i}.out`, 'sink.in', { order: i });

  const diamond = graph()
    .node('src', 'stub.source')
    .node('a', 'stub.slow', { ms: 1000, label: 'a' })
    .node('b', 'stub.slow', { ms: 1500, label: 'b' })
    .node('d', 'stub.slow', { ms: 700, label: 'd' })
    .node('sink', 'stub.sink')
    .edge('src.out', 'a.in')
    .edge('src.out', 'b.in')
    .edge('a.out', 'd.in', { order: 0 })
    .edge('b.out', 'd.in', { order: 1 })
    .edge('d.out', 'sink.in');

  const chains = graph().node('sink', 'stub.sink');
  for (let c = 0; c < 3; c++) {
    chains
      .node(`src${c}`, 'stub.source', { name: `src${c}` })
      .node(`c${c}a`, 'stub.slow', { ms: 900 + 100 * c, label: `c${c}a` })
      .node(`c${c}b`, 'stub.slow', { ms: 1300 - 150 * c, label: `c${c}b` })
      .edge(`src${c}.out`, `c${c}a.in`)
      .edge(`c${c}a.out`, `c${c}b.in`)
      .edge(`c${c}b.out`, 'sink.in', { order: c });
  }
  return [
    { name: 'chain of 5 edits', concurrency: 4, workflow: chain.build() },
    { name: 'fan-out of 8 edits', concurrency: 4, workflow: fan.build() },
    { name: 'diamond', concurrency: 4, workflow: diamond.build() },
    { name: '3 parallel chains of 2', concurrency: 4, workflow: chains.build() },
  ];
}

/** Runs a scenario on a FakeClock and compares its makespan with the physical limit. */
export async function measureMakespan(scenario: MakespanScenario): Promise<MakespanRow> {
  const { registry } = createStubKit();
  const services = fakeServices(new FakeClock());
  const summary = await services.clock.drive(runGraph(scenario.workflow, registry, services, { concurrency: scenario.concurrency }));
  if (summary.status !== 'succeeded') throw new Error(`${scenario.name}: run ${summary.status}`);
  const jobMs = new Map(scenario.workflow.nodes.map((n) => [n.id, n.kind === 'stub.slow' ? Number(n.params.ms) : 0]));
  const finish = new Map<string, number>();
  for (const id of topoOrder(scenario.workflow).order) {
    const ready = Math.max(0, ...scenario.workflow.edges.filter((e) => e.target.node === id).map((e) => finish.get(e.source.node) ?? 0));
    finish.set(id, ready + (jobMs.get(id) ?? 0));
  }
  const criticalPathMs = Math.max(...finish.values());
  const totalMs = [...jobMs.values()].reduce((a, b) => a + b, 0);
  const workPerSlotMs = totalMs / scenario.concurrency;
  const limitMs = Math.max(criticalPathMs, workPerSlotMs);
  return {
    name: scenario.name,
    jobs: [...jobMs.values()].filter((ms) => ms > 0).length,
    concurrency: scenario.concurrency,
    makespanMs: summary.durationMs,
    criticalPathMs,
    workPerSlotMs,
    limitMs,
    ratio: summary.durationMs / limitMs,
  };
}

const benchNode = defineNode({
  kind: 'bench.instant',
  version: 1,
  title: 'Bench Instant',
  category: 'Bench',
  description: 'Returns at once.',
  inputs: [{ name: 'in', type: 'image-list', optional: true, multiple: true }],
  outputs: [{ name: 'out', type: 'image' }],
  isOutput: true,
  params: z.object({
    label: z.string().max(200).default(''),
    seed: z.number().int().min(0).default(0),
    strength: z.number().min(0).max(1).default(0.5),
    resolution: z.enum(['2K', '4K']).default('2K'),
  }),
  run: async ({ params }) => ({ out: { kind: 'url', url: `https://bench.test/${params.seed}.png` } }),
});

/** A registry with the one instant bench kind. */
export const benchRegistry: NodeRegistry = createRegistry([benchNode]);

/**
 * A deterministic random DAG of `nodes` instant nodes and `edges` links (each node after the
 * first reads from at least one earlier node), as untyped JSON the way a file would arrive.
 */
export function largeWorkflowJson(nodes = 1000, edges = 1500, seed = 42): unknown {
  let s = seed >>> 0;
  const rand = (n: number) => {
    // mulberry32: tiny and deterministic, so every run benchmarks the same graph.
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * n;
  };
  const list = Array.from({ length: nodes }, (_, i) => ({
    id: `n${i}`,
    kind: 'bench.instant',
    kindVersion: 1,
    params: { label: `Node ${i}: a short prompt-like label`, seed: i, strength: (i % 10) / 10, resolution: i % 2 ? '2K' : '4K' },
    position: { x: (i % 40) * 220, y: Math.floor(i / 40) * 140 },
  }));
  const links = [];
  for (let i = 0; links.length < edges; i++) {
    const t = i < nodes - 1 ? i + 1 : 1 + Math.floor(rand(nodes - 1));
    const src = Math.floor(rand(t));
    links.push({ id: `e${links.length}`, source: { node: `n${src}`, port: 'out' }, target: { node: `n${t}`, port: 'in' }, order: links.length });
  }
  return { schemaVersion: CURRENT_SCHEMA_VERSION, nodes: list, edges: links, meta: { name: 'bench' } };
}

/** Plans the large workflow once, failing loudly if the generator ever makes it invalid. */
export function assertPlannable(workflow: Workflow): void {
  const plan = planRun(workflow, benchRegistry);
  if (!plan.ok) throw new Error(`bench workflow is invalid: ${plan.issues[0]?.message}`);
}
