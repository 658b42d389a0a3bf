import { describe, expect, it } from 'vitest';
import { paletteColor } from '../../../app/graph/comfyui/canvas-items';
import { importComfyWorkflow } from '../../../app/graph/comfyui/import-comfy-workflow';
import { loadWorkflow } from '../../../app/graph/load-workflow';
import { MAX_NOTE_CHARS } from '../../../app/graph/workflow-schema';
import { registry } from '../../../nodes';

/** A UI-format file: a Preview Image (so something maps) plus the given nodes and groups. */
const ui = (nodes: Record<string, unknown>[], groups?: unknown[]) => ({
  last_node_id: 99,
  nodes: [{ id: 1, type: 'PreviewImage', pos: [0, 0], size: [300, 250], mode: 0 }, ...nodes],
  links: [],
  ...(groups ? { groups } : {}),
});

function imported(json: unknown) {
  const r = importComfyWorkflow(json, registry);
  if (!r.ok) throw new Error(`refused: ${r.reason}`);
  expect(loadWorkflow(r.workflow, registry).ok).toBe(true);
  return r;
}

describe('ComfyUI notes', () => {
  it('become notes with their text when they are Note or MarkdownNote nodes', () => {
    const r = imported(
      ui([
        { id: 2, type: 'Note', pos: [10, 400], size: [300, 120], mode: 0, widgets_values: ['plain *text*'] },
        { id: 3, type: 'MarkdownNote', title: 'Read me', pos: [400, 400], mode: 4, widgets_values: ['# Steps\n1. one'], bgcolor: '#335' },
      ]),
    );
    expect(r.workflow.nodes.map((n) => n.id)).toEqual(['preview-1']);
    expect(r.placeholders).toEqual([]);
    expect(r.workflow.notes).toEqual([
      { id: 'note-2', position: { x: 10, y: 400 }, size: { width: 300, height: 120 }, text: 'plain *text*' },
      // A bypassed note is still a note (notes never run in ComfyUI); no size saved: LiteGraph's default.
      { id: 'note-3', position: { x: 400, y: 400 }, size: { width: 400, height: 200 }, text: '### Read me\n\n# Steps\n1. one', color: 'blue' },
    ]);
    expect(r.report[0]).toBe('Imported a ComfyUI workflow (UI format): 3 of 3 nodes mapped.');
    expect(r.report).toContain('The note Note #2 became a note.');
    expect(r.report).toContain('The note “Read me” (MarkdownNote #3) became a note.');
  });

  it('clamps the size to the schema limits and cuts text past the longest note', () => {
    const long = 'x'.repeat(MAX_NOTE_CHARS + 5);
    const r = imported(ui([{ id: 2, type: 'Note', pos: [0, 0], size: [5, 90_000], widgets_values: [long] }]));
    const note = r.workflow.notes![0]!;
    expect(note.size).toEqual({ width: 40, height: 20_000 });
    expect(note.text).toHaveLength(MAX_NOTE_CHARS);
    expect(r.report).toContain(`The text of the note Note #2 was cut to ${MAX_NOTE_CHARS} of its ${MAX_NOTE_CHARS + 5} characters.`);
  });

  it('places a note the file gave no position, and keeps a note without text empty', () => {
    const r = imported(ui([{ id: 2, type: 'MarkdownNote' }]));
    const note = r.workflow.notes![0]!;
    expect(Number.isFinite(note.position.x) && Number.isFinite(note.position.y)).toBe(true);
    expect(note.text).toBe('');
  });

  it('refuses a file whose only counterparts are notes: there is nothing to run', () => {
    const r = importComfyWorkflow(
      {
        last_node_id: 2,
        nodes: [
          { id: 1, type: 'KSampler' },
          { id: 2, type: 'Note', widgets_values: ['hi'] },
        ],
        links: [],
      },
      registry,
    );
    expect(r).toMatchObject({ ok: false, code: 'comfyui-workflow' });
  });
});

describe('ComfyUI groups', () => {
  it('become groups holding the items whose centre lies in their frame, the smallest frame winning', () => {
    const r = imported(
      ui(
        [
          { id: 2, type: 'LoadImage', pos: [50, 400], size: [200, 100], widgets_values: ['a.png', 'image'] },
          { id: 3, type: 'Note', pos: [600, 600], size: [100, 100], widgets_values: ['in the big one'] },
          { id: 4, type: 'Note', pos: [5000, 5000], size: [100, 100], widgets_values: ['in none'] },
        ],
        [
          { id: 7, title: 'Everything', bounding: [-100, -100, 1000, 1000], color: '#b58b2a' },
          { id: 8, title: 'Inputs', bounding: [0, 350, 400, 300], color: '#123456' },
          { title: 'No frame' },
        ],
      ),
    );
    expect(r.workflow.groups).toEqual([
      {
        id: 'group-7',
        title: 'Everything',
        position: { x: -100, y: -100 },
        size: { width: 1000, height: 1000 },
        color: 'yellow',
        members: ['preview-1', 'note-3'],
      },
      { id: 'group-8', title: 'Inputs', position: { x: 0, y: 350 }, size: { width: 400, height: 300 }, members: ['load-2'] },
    ]);
    expect(r.report).toContain('The groups “Everything”, “Inputs” became groups here.');
    expect(r.report).toContain('1 group without a frame (“No frame”) was left out.');
  });

  it('gives each group an id of its own when the file repeats one', () => {
    const clash = imported(
      ui(
        [],
        [
          { id: 1, title: 'A', bounding: [0, 0, 100, 100] },
          { id: 1, title: 'B', bounding: [0, 0, 90, 90] },
        ],
      ),
    );
    expect(clash.workflow.groups!.map((g) => g.id)).toEqual(['group-1', 'group-1-2']);
  });
});

describe('paletteColor', () => {
  it.each([
    [{ bgcolor: '#653', color: '#432' }, 'node', 'yellow'],
    [{ color: '#2A363B' }, 'node', 'pale-blue'],
    [{ bgcolor: '#000' }, 'node', 'black'],
    [{ bgcolor: '#ff0000' }, 'node', undefined],
    [{ color: '#3f789e' }, 'group', 'pale-blue'],
    [{ color: '#A88' }, 'group', 'red'],
    [{ color: '#653' }, 'group', undefined],
    [{}, 'group', undefined],
  ] as const)('maps %o of a %s to %s', (item, of, expected) => {
    expect(paletteColor(item, of)).toBe(expected);
  });
});
