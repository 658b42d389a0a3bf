import { describe, expect, it } from 'vitest';
import { newWorkflow, openWorkflowData } from '../../app/ui/chrome/workflow-files';
import { registry } from '../../nodes';
import { testImage } from '../fixtures/fake-run-context';
import { graph } from '../fixtures/graph-builder';
import { createTestStore } from '../fixtures/studio-store';

/** Load Image → Seedream → Preview with the ids the editor gives a graph built by hand. */
const handBuilt = (prompt = 'Generate 2 images of a kite') =>
  graph({ name: 'kite' })
    .node('n1', 'image.load', { image: testImage(1) })
    .node('n2', 'seedream.edit-sequential', { prompt, maxImages: 2 })
    .node('n3', 'image.preview')
    .edge('n1.image', 'n2.images')
    .edge('n2.images', 'n3.images')
    .build();

async function ranTwice() {
  const t = createTestStore(handBuilt());
  await t.store.getState().requestRun();
  await t.store.getState().confirmRun();
  await t.store.getState().requestRun();
  expect(t.store.getState().run.nodes.n2?.status).toBe('cached');
  return t;
}

describe('newWorkflow', () => {
  it('leaves no run state of the old graph when New follows a run (issue 9, item 2)', async () => {
    const t = await ranTwice();
    newWorkflow(t.store);
    const s = t.store.getState();
    expect(s.run.nodeIds).toEqual([]);
    expect(s.run.nodes).toEqual({});
    expect(s.results).toEqual({});
  });

  it('gives the nodes of the new graph ids the old graph did not use', async () => {
    const t = await ranTwice();
    newWorkflow(t.store);
    const id = t.store.getState().addNode('seedream.edit-sequential', { x: 0, y: 0 });
    expect(['n1', 'n2', 'n3']).not.toContain(id);
    expect(t.store.getState().run.nodes[id]).toBeUndefined();
  });
});

describe('openWorkflowData', () => {
  it('shows no "cached" or "done" from the last run on a template that reuses its node ids', async () => {
    const t = await ranTwice();
    expect(openWorkflowData(t.store, registry, handBuilt('Generate 2 images of a boat'), 'template “Boat”')).toBe(true);
    const s = t.store.getState();
    expect(s.run.nodes).toEqual({});
    expect(s.run.nodeIds).toEqual([]);
    expect(s.results.n2).toBeUndefined();
  });
});
