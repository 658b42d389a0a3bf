import { describe, expect, it } from 'vitest';
import type { ImageRef } from '../../app/graph/ports';
import type { NodeResult } from '../../app/store/run-reducer';
import { autoLayout, FRAME_STRIP_ROOM, frameRoom } from '../../app/ui/canvas/layout';
import { registry } from '../../nodes';
import { testImage } from '../fixtures/fake-run-context';
import { graph } from '../fixtures/graph-builder';

/** Load → Seedream → (Save, Preview): Save and Preview share a column after layout. */
const workflow = graph()
  .node('load', 'image.load', { image: testImage(1) })
  .node('gen', 'seedream.edit-sequential', { prompt: 'Generate 4 images of a kite', maxImages: 4 })
  .node('save', 'image.save')
  .node('view', 'image.preview')
  .edge('load.image', 'gen.images')
  .edge('gen.images', 'save.images')
  .edge('gen.images', 'view.images')
  .build();
const sizes = new Map(workflow.nodes.map((n) => [n.id, { width: 280, height: 120 }]));
const result = (images: ImageRef[]): NodeResult => ({ outputs: { images }, meta: {}, cacheKey: 'key', cached: false });

/** Vertical free space between the two nodes of one column, from laid-out positions. */
function gapBelowUpper(positions: Map<string, { x: number; y: number }>): number {
  const [upper, lower] = [positions.get('save')!, positions.get('view')!].sort((a, b) => a.y - b.y);
  expect(upper!.x).toBe(lower!.x);
  return lower!.y - (upper!.y + 120);
}

describe('frameRoom', () => {
  it('keeps room under nodes that will show frames when they have none yet', () => {
    const room = frameRoom({ workflow, results: {} }, registry);
    expect(['load', 'gen', 'save', 'view'].map(room)).toEqual([0, FRAME_STRIP_ROOM, FRAME_STRIP_ROOM, FRAME_STRIP_ROOM]);
  });

  it('keeps none under nodes already showing frames (their drawn size includes the strip)', () => {
    const room = frameRoom({ workflow, results: { save: result([testImage(2)]) } }, registry);
    expect(room('save')).toBe(0);
    expect(room('view')).toBe(FRAME_STRIP_ROOM);
  });

  it('gives 0 for unknown nodes and kinds', () => {
    expect(frameRoom({ workflow, results: {} }, registry)('nope')).toBe(0);
  });
});

describe('autoLayout', () => {
  it('spaces a column so a node can grow by its frame strip without covering the next one', async () => {
    const tight = gapBelowUpper(await autoLayout(workflow, sizes));
    const roomy = gapBelowUpper(await autoLayout(workflow, sizes, { extraHeight: frameRoom({ workflow, results: {} }, registry) }));
    expect(tight).toBeLessThan(FRAME_STRIP_ROOM);
    expect(roomy).toBeGreaterThanOrEqual(FRAME_STRIP_ROOM);
  });
});

describe('autoLayout merge order', () => {
  /** Three references into one Seedream in the given merge order, listed in the file the other way round. */
  const refs = (order: string[]) => {
    const b = graph();
    for (const id of ['r3', 'r2', 'r1']) b.node(id, 'image.load', { image: testImage(1) });
    b.node('gen', 'seedream.edit-sequential', { prompt: 'Generate 2 images', maxImages: 2 }).node('view', 'image.preview');
    order.forEach((id, i) => b.edge(`${id}.image`, 'gen.images', { order: i }));
    return b.edge('gen.images', 'view.images').build();
  };
  const tops = (positions: Map<string, { x: number; y: number }>, ids: string[]) => [...ids].sort((a, b) => positions.get(a)!.y - positions.get(b)!.y);

  it.each([[['r1', 'r2', 'r3']], [['r3', 'r1', 'r2']], [['r2', 'r3', 'r1']]])(
    'lays the references out top to bottom in their merge order %j',
    async (order) => {
      const wf = refs(order);
      const positions = await autoLayout(wf, new Map(wf.nodes.map((n) => [n.id, { width: 280, height: 120 }])));
      expect(tops(positions, ['r1', 'r2', 'r3'])).toEqual(order);
    },
  );

  it('moves a group frame with its members', async () => {
    const wf = {
      ...refs(['r1', 'r2', 'r3']),
      groups: [{ id: 'g', title: 'Refs', position: { x: 5000, y: 5000 }, size: { width: 400, height: 600 }, members: ['r1', 'r2', 'r3'] }],
    };
    const positions = await autoLayout(wf, new Map());
    const g = positions.get('g')!;
    for (const id of ['r1', 'r2', 'r3']) {
      expect(positions.get(id)!.x).toBeGreaterThan(g.x);
      expect(positions.get(id)!.y).toBeGreaterThan(g.y);
    }
  });
});
