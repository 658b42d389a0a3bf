import { describe, expect, it } from 'vitest';
import { zWorkflow } from '../../app/graph/workflow-schema';
import { planRun } from '../../app/engine/plan';
import { benchRegistry, largeWorkflowJson, makespanScenarios, measureMakespan } from './engine-scenarios';

describe('engine makespan', () => {
  // Fake clock: the makespans are exact virtual times, so this is deterministic, not a timing test.
  it.each(makespanScenarios().map((s) => [s.name, s] as const))('stays within 2%% of the physical limit for %s', async (_name, scenario) => {
    const row = await measureMakespan(scenario);
    expect(row.ratio).toBeLessThanOrEqual(1.02);
  });
});

describe('engine bench workflow', () => {
  it('parses and plans the 1,000-node / 1,500-edge workflow without issues', () => {
    const parsed = zWorkflow.safeParse(largeWorkflowJson());
    expect(parsed.success).toBe(true);
    if (!parsed.success) return;
    expect(parsed.data.nodes).toHaveLength(1000);
    expect(parsed.data.edges).toHaveLength(1500);
    const plan = planRun(parsed.data, benchRegistry);
    expect(plan.issues).toEqual([]);
    expect(plan.nodes.size).toBe(1000);
  });
});
