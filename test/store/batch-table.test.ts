import { describe, expect, it } from 'vitest';
import { dropImages, pasteRows } from '../../app/store/batch-paste';
import { blankRow, cellProblem, resolveColumns, defaultColumnIds, type BatchTable } from '../../app/store/batch-table';
import { registry } from '../batch/batch-fixtures';
import { testImage } from '../fixtures/fake-run-context';
import { batchPage, storyboard } from './batch-fixtures';

const board = storyboard();
function table(): BatchTable {
  const { columns } = resolveColumns(board, defaultColumnIds(board, registry), registry);
  return { columns, rows: [blankRow(columns, [])], files: {} };
}
const named = (n: number, name: string) => ({ ...testImage(n), name });

describe('pasteRows', () => {
  it('matches columns by field id or node.param, names columns that match nothing, and replaces blank rows', () => {
    const text = 'id,story,gen.seed,colour\nr1,Generate 2 images: a fox,7,red\nr2,Generate 2 images: a cat,8,blue\n';
    const r = pasteRows(table(), text, 'csv', board, registry);
    expect(r.added).toBe(2);
    expect(r.table.rows.map((x) => [x.id, x.cells.story, x.cells['gen.seed']])).toEqual([
      ['r1', 'Generate 2 images: a fox', 7],
      ['r2', 'Generate 2 images: a cat', 8],
    ]);
    expect(r.table.columns.map((c) => c.id)).toContain('gen.seed');
    expect(r.notes.map((n) => [n.column, n.code])).toEqual([['colour', 'column-unknown']]);
    // Fields with a default meant for use start with it; samples start empty.
    expect(r.table.rows[0]!.cells.maxImages).toBe(4);
    expect(r.table.rows[0]!.cells.ref1).toBeUndefined();
  });

  it('maps a node.param header onto the field column that fills the same param', () => {
    const r = pasteRows(table(), 'gen.maxImages\n3\n', 'tsv', board, registry);
    expect(r.table.columns.map((c) => c.id)).not.toContain('gen.maxImages');
    expect(r.table.rows[0]!.cells.maxImages).toBe(3);
  });

  it('keeps the table when the paste has a header problem, and renames a pasted id already in the table', () => {
    const t = pasteRows(table(), 'id\tstory\na\tGenerate 2 images\n', 'tsv', board, registry).table;
    const again = pasteRows(t, 'id\tstory\nA\tGenerate 2 images: again\n', 'tsv', board, registry);
    expect(again.table.rows.map((r) => r.id)).toEqual(['a', '0001']);
    expect(again.notes[0]).toMatchObject({ code: 'id-duplicate', line: 2 });
    const bad = pasteRows(t, 'story\tstory\nx\ty\n', 'tsv', board, registry);
    expect(bad.table).toBe(t);
    expect(bad.notes[0]?.code).toBe('header-duplicate');
  });
});

describe('pasteRows on a graph without fields', () => {
  it('makes a column of every node.param the header names', () => {
    const graph = { ...board, meta: { ...board.meta, template: undefined } };
    const empty: BatchTable = { columns: [], rows: [], files: {} };
    const r = pasteRows(empty, 'story.text\tgen.maxImages\nGenerate 2 images: a fox\t2\n', 'tsv', graph, registry);
    expect(r.table.columns.map((c) => [c.id, c.required])).toEqual([
      ['story.text', false],
      ['gen.maxImages', false],
    ]);
    expect(r.table.rows[0]!.cells).toMatchObject({ 'story.text': 'Generate 2 images: a fox', 'gen.maxImages': 2 });
  });
});

describe('dropImages', () => {
  it('makes one row per image dropped on an empty image column, copying the other cells of the last row', () => {
    let t = table();
    t = { ...t, rows: [{ ...t.rows[0]!, cells: { ...t.rows[0]!.cells, story: 'Generate 2 images: an outfit' } }] };
    const { table: out, added } = dropImages(t, 'ref1', [named(1, 'a.png'), named(2, 'b.png'), named(3, 'c.png')]);
    expect(added).toBe(2);
    expect(out.rows.map((r) => [r.id, (r.cells.ref1 as { name: string }).name, r.cells.story])).toEqual([
      ['0001', 'a.png', 'Generate 2 images: an outfit'],
      ['0002', 'b.png', 'Generate 2 images: an outfit'],
      ['0003', 'c.png', 'Generate 2 images: an outfit'],
    ]);
  });

  it('gives each cell that names a dropped file that image, in every image column, before filling empty cells', () => {
    const t = pasteRows(table(), 'ref1\tref2\nb.png\ta.png\n\tb.png\n', 'tsv', board, registry).table;
    const { table: out, added } = dropImages(t, 'ref1', [named(1, 'a.png'), named(2, 'B.PNG')]);
    expect(added).toBe(0);
    expect(out.rows.map((r) => [(r.cells.ref1 as { name?: string } | undefined)?.name, (r.cells.ref2 as { name: string }).name])).toEqual([
      ['B.PNG', 'a.png'],
      [undefined, 'B.PNG'],
    ]);
  });
});

describe('cellProblem', () => {
  it('says what a sample field, a file not dropped yet and an out-of-range value need', () => {
    const t = table();
    const col = (id: string) => t.columns.find((c) => c.id === id)!;
    expect(cellProblem(col('story'), '', {})).toMatch(/needs a value in every row/);
    expect(cellProblem(col('ref1'), 'x.png', {})).toMatch(/No image “x\.png” yet/);
    expect(cellProblem(col('ref1'), 'x.png', { 'x.png': testImage(1) })).toBeUndefined();
    expect(cellProblem(col('maxImages'), 16, {})).toMatch(/^Panels: /);
    expect(cellProblem(col('maxImages'), '3', {})).toBeUndefined();
    expect(cellProblem(col('maxImages'), undefined, {})).toBeUndefined();
  });
});

describe('batch table undo', () => {
  it('undoes typing in one cell as one step, and redoes it', () => {
    const p = batchPage();
    p.batch.openFor('Storyboard', { kind: 'template', title: 'Storyboard' }, storyboard());
    const key = p.batch.store.getState().session!.table.rows[0]!.key;
    for (const text of ['G', 'Ge', 'Gen']) p.batch.setCell(key, 'story', text);
    p.batch.addRow();
    p.batch.undo();
    expect(p.batch.store.getState().session!.table.rows).toHaveLength(1);
    p.batch.undo();
    expect(p.batch.store.getState().session!.table.rows[0]!.cells.story).toBeUndefined();
    p.batch.redo();
    expect(p.batch.store.getState().session!.table.rows[0]!.cells.story).toBe('Gen');
  });
});
