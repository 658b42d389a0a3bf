import { parseRows, planColumns, type BatchProblem, type RowsFormat } from '../batch';
import type { ImageRef } from '../graph/ports';
import type { NodeRegistry } from '../graph/registry';
import type { Workflow } from '../graph/workflow-schema';
import type { BatchTableRow } from './batch-record';
import { blankRow, cellFromText, isBlankRow, isEmptyCell, newRowKey, nextRowId, resolveColumns, type BatchColumn, type BatchTable } from './batch-table';

/** What a paste or a drop did, for the notes above the table. */
export interface PasteResult {
  table: BatchTable;
  /** Rows added. */
  added: number;
  /** Problems of the pasted text (by its own line numbers) and columns that match nothing. */
  notes: BatchProblem[];
}

/**
 * Pasted (or dropped) CSV, TSV or JSONL rows into the table: the header is matched to the
 * table's columns by field id or `<node>.<param>` (a `<node>.<param>` of a param the table has no
 * column for adds one); columns that match nothing are named in the notes and left out; an `id`
 * column names the rows. Rows are added after the table's rows, replacing rows still blank.
 * Image cells take https URLs or file names (resolved now when the file was dropped before, or
 * once it is dropped on the column).
 */
export function pasteRows(t: BatchTable, text: string, format: RowsFormat, workflow: Workflow, registry: NodeRegistry): PasteResult {
  const parsed = parseRows(text, format);
  const notes: BatchProblem[] = parsed.problems.map((p) => ({ ...p, message: `Pasted line ${p.line}: ${p.message}` }));
  if (parsed.problems.some((p) => p.fatal)) return { table: t, added: 0, notes };

  const plan = planColumns(workflow, parsed.columns, registry);
  // Sample fields missing from the paste are still columns of the table: their cells say what they need.
  for (const p of [...plan.problems, ...plan.warnings]) if (p.code !== 'field-unset') notes.push({ ...p, message: `Column “${p.column}”: ${p.message}` });
  const byParam = new Map(t.columns.map((c) => [`${c.target.node}.${c.target.param}`, c] as const));
  const columns = [...t.columns];
  const into = new Map<string, BatchColumn>();
  for (const target of plan.targets) {
    let column = byParam.get(`${target.node}.${target.param}`);
    if (!column) {
      const added = resolveColumns(workflow, [target.column], registry).columns[0];
      if (!added) continue;
      column = added;
      columns.push(column);
      byParam.set(`${target.node}.${target.param}`, column);
    }
    into.set(target.column, column);
  }

  const kept = t.rows.filter((r) => !isBlankRow(r, t.columns));
  const rows: BatchTableRow[] = [...kept];
  for (const r of parsed.rows) {
    const row = blankRow(columns, rows);
    if (parsed.hasIdColumn) {
      if (rows.some((o) => o.id.toLowerCase() === r.id.toLowerCase())) {
        notes.push({
          line: r.line,
          column: 'id',
          code: 'id-duplicate',
          message: `Pasted line ${r.line}: row id “${r.id}” is already in the table; the row is ${row.id}.`,
        });
      } else row.id = r.id;
    }
    for (const [name, value] of Object.entries(r.cells)) {
      const column = into.get(name);
      if (!column) continue;
      const cell = cellFromText(value, column, t.files);
      if (!isEmptyCell(cell)) row.cells[column.id] = cell;
    }
    rows.push(row);
  }
  return { table: { ...t, columns, rows }, added: parsed.rows.length, notes };
}

/**
 * Images dropped (or chosen) on an image column: a cell of any image column that names a
 * dropped file by name gets it; the other images fill the column's empty cells from the top,
 * then each makes a new row (one row per image) copying the other cells of the last row, so a
 * filled-in row plus twenty outfits makes twenty rows.
 */
export function dropImages(t: BatchTable, columnId: string, images: readonly ImageRef[]): { table: BatchTable; added: number } {
  const column = t.columns.find((c) => c.id === columnId);
  if (!column?.image) return { table: t, added: 0 };
  const files = { ...t.files };
  const named = new Map<string, ImageRef>();
  for (const ref of images) {
    const name = ref.kind === 'asset' ? ref.name : undefined;
    if (name) {
      files[name] = ref;
      named.set(name.toLowerCase(), ref);
    }
  }
  const imageColumns = t.columns.filter((c) => c.image);
  const used = new Set<ImageRef>();
  let rows = t.rows.map((r) => {
    let cells = r.cells;
    for (const c of imageColumns) {
      const v = cells[c.id];
      const ref = typeof v === 'string' ? named.get(v.trim().split(/[\\/]/).pop()!.toLowerCase()) : undefined;
      if (!ref) continue;
      cells = { ...cells, [c.id]: ref };
      used.add(ref);
    }
    return cells === r.cells ? r : { ...r, cells };
  });
  const rest = images.filter((ref) => !used.has(ref));
  rows = rows.map((r) => {
    if (!isEmptyCell(r.cells[columnId]) || rest.length === 0) return r;
    return { ...r, cells: { ...r.cells, [columnId]: rest.shift()! } };
  });
  const added = rest.length;
  const template = rows.at(-1);
  for (const ref of rest) {
    const cells = template ? { ...template.cells, [columnId]: ref } : { ...blankRow(t.columns, rows).cells, [columnId]: ref };
    rows.push({ key: newRowKey(), id: nextRowId(rows), cells });
  }
  return { table: { ...t, rows, files }, added };
}
