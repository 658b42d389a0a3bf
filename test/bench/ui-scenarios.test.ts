import { describe, expect, it } from 'vitest';
import { planRun } from '../../app/engine/plan';
import { loadWorkflow } from '../../app/graph/load-workflow';
import { registry } from '../../nodes';
import { uiBenchWorkflow } from './ui-scenarios';

const image = { kind: 'asset', assetId: 'b'.repeat(64), mime: 'image/png', width: 160, height: 120, name: 'boat.png' } as const;

describe('uiBenchWorkflow', () => {
  it('opens as a valid 300-node / 240-link workflow the planner accepts', () => {
    const loaded = loadWorkflow(JSON.stringify(uiBenchWorkflow(image)), registry);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.issues).toEqual([]);
    expect(loaded.workflow.nodes).toHaveLength(300);
    expect(loaded.workflow.edges).toHaveLength(240);
    expect(planRun(loaded.workflow, registry).issues.filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('places no two nodes at the same spot', () => {
    const nodes = uiBenchWorkflow(image).nodes as { position: { x: number; y: number } }[];
    expect(new Set(nodes.map((n) => `${n.position.x},${n.position.y}`)).size).toBe(nodes.length);
  });
});
