import { describe, expect, it } from 'vitest';
import { canvasCommandFor } from '../../app/store/shortcuts';
import { placeMenu } from '../../app/ui/canvas/ContextMenu';
import { createLastEdited } from '../../app/ui/canvas/last-edited';
import { fitChoice } from '../../app/ui/canvas/readable-fit';
import { sortChanges } from '../../app/ui/canvas/sort-changes';
import { moveNodes } from '../../app/store/graph-ops';
import { paidWorkflow } from '../fixtures/studio-store';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; shiftKey: boolean; metaKey: boolean; altKey: boolean }> = {}, target: unknown = null) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  target: target as EventTarget | null,
  ...mods,
});

describe('canvasCommandFor', () => {
  it.each([
    [key('b', { ctrlKey: true }), 'bypass'],
    [key('B', { metaKey: true }), 'bypass'],
    [key('m', { ctrlKey: true }), 'mute'],
    [key('F10', { shiftKey: true }), 'menu'],
    [key('ContextMenu'), 'menu'],
    [key('b'), undefined],
    [key('b', { ctrlKey: true, shiftKey: true }), undefined],
  ])('maps %j to %s', (e, command) => {
    expect(canvasCommandFor(e)).toBe(command);
  });

  it('leaves Ctrl+B to a text field (bold in the browser) while typing', () => {
    expect(canvasCommandFor(key('b', { ctrlKey: true }, { tagName: 'TEXTAREA' }))).toBeUndefined();
  });
});

describe('placeMenu', () => {
  const view = { width: 1000, height: 800 };
  it('opens at the point when it fits, and flips left or up at the window edges', () => {
    expect(placeMenu({ x: 100, y: 100 }, { width: 200, height: 300 }, view)).toEqual({ x: 100, y: 100 });
    expect(placeMenu({ x: 950, y: 700 }, { width: 200, height: 300 }, view)).toEqual({ x: 750, y: 400 });
  });

  it('stays inside a window smaller than the menu would need', () => {
    expect(placeMenu({ x: 5, y: 5 }, { width: 200, height: 900 }, view)).toEqual({ x: 6, y: 6 });
  });
});

describe('createLastEdited', () => {
  it('remembers the node edited last, and forgets it when many nodes change at once', () => {
    const tracker = createLastEdited();
    const wf = paidWorkflow();
    expect(tracker.update(wf.nodes)).toBeUndefined();
    const moved = moveNodes(wf, new Map([['gen', { x: 5, y: 5 }]]));
    expect(tracker.update(moved.nodes)).toBe('gen');
    const many = moved.nodes.map((n) => ({ ...n }));
    expect(tracker.update([...many, ...Array.from({ length: 10 }, (_, i) => ({ ...many[0]!, id: `x${i}` }))])).toBeUndefined();
  });
});

describe('fitChoice', () => {
  const wf = paidWorkflow();
  it('fits the selection when there is one', () => {
    expect(fitChoice({ workflow: wf, selectedNodes: new Set(['gen']) }, () => false, undefined)).toEqual({ ids: ['gen'], readable: false });
  });

  it('fits the whole graph when it fits at a readable zoom', () => {
    expect(fitChoice({ workflow: wf, selectedNodes: new Set() }, () => true, 'gen')).toEqual({ ids: undefined, readable: false });
  });

  it('fits where the user worked last, with its neighbours, at a readable zoom, when the graph is too big', () => {
    const choice = fitChoice({ workflow: wf, selectedNodes: new Set() }, () => false, 'view');
    expect(choice).toEqual({ ids: ['view', 'gen'], readable: true });
  });
});

describe('sortChanges', () => {
  const wf = {
    ...paidWorkflow(),
    groups: [{ id: 'g', title: 'G', position: { x: 0, y: 0 }, size: { width: 500, height: 500 }, members: ['a', 'b'] }],
    notes: [{ id: 'note1', position: { x: 0, y: 0 }, size: { width: 100, height: 60 }, text: '' }],
  };

  it('takes a group’s members along when the group is dragged', () => {
    const sorted = sortChanges([{ id: 'g', type: 'position', position: { x: 10, y: 20 }, dragging: true }], wf);
    const a = wf.nodes.find((n) => n.id === 'a')!.position;
    expect(sorted.dragging).toBe(true);
    expect(sorted.positions.get('a')).toEqual({ x: a.x + 10, y: a.y + 20 });
    expect(sorted.positions.has('gen')).toBe(false);
  });

  it('sends a resize of a note to the resize, position included, not to a move', () => {
    const sorted = sortChanges(
      [
        { id: 'note1', type: 'position', position: { x: -5, y: -5 } },
        { id: 'note1', type: 'dimensions', dimensions: { width: 150, height: 90 }, resizing: true, setAttributes: true },
        { id: 'gen', type: 'dimensions', dimensions: { width: 320, height: 400 } },
      ],
      wf,
    );
    expect(sorted.resized.get('note1')).toEqual({ size: { width: 150, height: 90 }, resizing: true, position: { x: -5, y: -5 } });
    expect(sorted.positions.size).toBe(0);
    expect(sorted.sizes.get('gen')).toEqual({ width: 320, height: 400 });
  });
});
