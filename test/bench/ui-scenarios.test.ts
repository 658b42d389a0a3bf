import { describe, expect, it } from 'vitest';
import { planRun } from '../../app/engine/plan';
import { loadWorkflow } from '../../app/graph/load-workflow';
import { registry } from '../../nodes';
import { UI_BENCH_SCENARIOS, uiBenchWorkflow } from './ui-scenarios';

const image = { kind: 'asset', assetId: 'b'.repeat(64), mime: 'image/png', width: 160, height: 120, name: 'boat.png' } as const;

describe('uiBenchWorkflow', () => {
  it.each([
    { scenario: UI_BENCH_SCENARIOS[0]!, nodes: 300, links: 240 },
    { scenario: UI_BENCH_SCENARIOS[1]!, nodes: 1000, links: 1200 },
  ])('opens $scenario.label as a valid workflow the planner accepts', ({ scenario, nodes, links }) => {
    const loaded = loadWorkflow(JSON.stringify(uiBenchWorkflow(image, scenario)), registry);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.issues).toEqual([]);
    expect(loaded.workflow.nodes).toHaveLength(nodes);
    expect(loaded.workflow.edges).toHaveLength(links);
    expect(planRun(loaded.workflow, registry).issues.filter((i) => i.severity === 'error')).toEqual([]);
    const ids = new Set(loaded.workflow.nodes.map((n) => n.id));
    expect(ids.has(scenario.dragged)).toBe(true);
  });

  it.each(UI_BENCH_SCENARIOS)('places no two nodes of $label at the same spot', (scenario) => {
    const nodes = uiBenchWorkflow(image, scenario).nodes as { position: { x: number; y: number } }[];
    expect(new Set(nodes.map((n) => `${n.position.x},${n.position.y}`)).size).toBe(nodes.length);
  });
});
