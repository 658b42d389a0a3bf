import { Position } from '@xyflow/react';
import { describe, expect, it } from 'vitest';
import { createFlowDeriver } from '../../app/ui/canvas/flow-derive';
import { geometryOf, loadGeometry, saveGeometry, type NodeGeometry } from '../../app/ui/canvas/node-geometry';
import { registry } from '../../nodes';
import { paidWorkflow } from '../fixtures/studio-store';

/** A Storage over a Map (what localStorage offers the module). */
function memoryStorage() {
  const items = new Map<string, string>();
  return { items, getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v) };
}

const gen: NodeGeometry = {
  kind: 'seedream.edit-sequential',
  size: { width: 320, height: 412.5 },
  handles: [
    { type: 'target', id: 'images', position: Position.Left, x: -6, y: 40, width: 12, height: 12 },
    { type: 'source', id: 'images', position: Position.Right, x: 314, y: 40, width: 12, height: 12 },
  ],
};

describe('node geometry', () => {
  it('reads back what it wrote when the build is the same', () => {
    const storage = memoryStorage();
    saveGeometry(storage, 'build-a', [['gen', gen]]);
    expect(loadGeometry(storage, 'build-a')).toEqual(new Map([['gen', gen]]));
  });

  it('forgets geometry measured under another build', () => {
    const storage = memoryStorage();
    saveGeometry(storage, 'build-a', [['gen', gen]]);
    expect(loadGeometry(storage, 'build-b').size).toBe(0);
  });

  it.each([['not json {'], [JSON.stringify({ v: 1, build: 'build-a', nodes: { gen: ['x', -1, 2, []] } })], [JSON.stringify({ v: 2 })]])(
    'reads nothing when the stored text is %s',
    (text) => {
      const storage = memoryStorage();
      storage.items.set('sequence-studio:node-geometry', text);
      expect(loadGeometry(storage, 'build-a').size).toBe(0);
    },
  );

  it('neither throws nor reads when storage refuses access', () => {
    const refusing = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
    };
    expect(loadGeometry(refusing, 'b').size).toBe(0);
    expect(() => saveGeometry(refusing, 'b', [['gen', gen]])).not.toThrow();
    expect(loadGeometry(undefined, 'b').size).toBe(0);
  });

  it('takes size and handles from a measured React Flow node, and nothing from an unmeasured one', () => {
    const handleBounds = {
      source: [{ ...gen.handles[1]!, nodeId: 'gen', width: 12, height: 12 }],
      target: [{ ...gen.handles[0]!, nodeId: 'gen', width: 12, height: 12 }],
    };
    const measured = {
      type: 'graph',
      measured: { width: 320, height: 412.5 },
      internals: { handleBounds, positionAbsolute: { x: 0, y: 0 }, z: 0, userNode: {} as never },
    };
    expect(geometryOf(measured, gen.kind)).toEqual({ ...gen, handles: [gen.handles[1], gen.handles[0]] });
    expect(geometryOf({ ...measured, measured: {} }, gen.kind)).toBeUndefined();
    expect(geometryOf({ ...measured, internals: { ...measured.internals, handleBounds: undefined } }, gen.kind)).toBeUndefined();
  });
});

describe('createFlowDeriver with remembered geometry', () => {
  const none = new Set<string>();

  it('gives a node not measured in this page its remembered size and handles', () => {
    const wf = paidWorkflow();
    const flow = createFlowDeriver(registry, new Map([['gen', gen]])).nodes(wf.nodes, none, new Map());
    const node = flow.find((n) => n.id === 'gen')!;
    expect(node.measured).toEqual(gen.size);
    expect(node.handles).toEqual(gen.handles);
    expect(flow.filter((n) => n.id !== 'gen').every((n) => n.measured === undefined && n.handles === undefined)).toBe(true);
  });

  it('prefers the size measured in this page, and leaves handles to React Flow then', () => {
    const wf = paidWorkflow();
    const flow = createFlowDeriver(registry, new Map([['gen', gen]])).nodes(wf.nodes, none, new Map([['gen', { width: 320, height: 500 }]]));
    const node = flow.find((n) => n.id === 'gen')!;
    expect(node.measured).toEqual({ width: 320, height: 500 });
    expect(node.handles).toBeUndefined();
  });

  it('ignores geometry remembered for a node of another kind under the same id', () => {
    const wf = paidWorkflow();
    const flow = createFlowDeriver(registry, new Map([['gen', { ...gen, kind: 'image.load' }]])).nodes(wf.nodes, none, new Map());
    expect(flow.find((n) => n.id === 'gen')!.measured).toBeUndefined();
  });
});
