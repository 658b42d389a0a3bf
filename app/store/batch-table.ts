import type { z } from 'zod';
import { idProblem, planColumns, type BatchProblem, type BatchRow, type CellValue, type ColumnTarget, type ImageResolver } from '../batch';
import { zImageRef, type ImageRef } from '../graph/ports';
import type { NodeRegistry } from '../graph/registry';
import type { Workflow } from '../graph/workflow-schema';
import { checkTemplateValue, isSampleField, templateFields } from '../templates/template-fields';
import type { BatchTableRow } from './batch-record';

/**
 * The batch table as data: columns (template fields or `<node>.<param>`, resolved like the CLI's
 * header), rows of typed cell values, and the images dropped for the batch by file name. Pure
 * functions, each returning a new table; the Batch dialog draws it and the batch store keeps it.
 */

/** One column of the table, with what its values go into. */
export interface BatchColumn {
  /** The header name: a template field id or `<node>.<param>`. */
  id: string;
  label: string;
  description?: string;
  target: ColumnTarget;
  /** An image param: cells hold image references (or a file name waiting for its file). */
  image: boolean;
  /** A sample field: every row needs its own value. */
  required: boolean;
  /** What a new row starts with: the template's value, unless it is only a sample. */
  initial: unknown;
  /** The param is fed by a link in this graph: values here have no effect. */
  linked: boolean;
}

export interface BatchTable {
  columns: BatchColumn[];
  rows: BatchTableRow[];
  /** Images dropped or picked for this batch, by file name. */
  files: Readonly<Record<string, ImageRef>>;
}

let keyCount = 0;
const keyPrefix = Math.random().toString(36).slice(2, 8);
/** A row key that does not repeat in this page. */
export const newRowKey = (): string => `r${keyPrefix}${(++keyCount).toString(36)}`;

/** The columns a new batch starts with: every usable template field, in template order. */
export function defaultColumnIds(workflow: Workflow, registry: NodeRegistry): string[] {
  return templateFields(workflow, registry)
    .filter((f) => f.problem === undefined)
    .map((f) => f.id);
}

/** Resolves column ids against the workflow (as a rows file's header is); ids that match nothing are problems. */
export function resolveColumns(workflow: Workflow, ids: readonly string[], registry: NodeRegistry): { columns: BatchColumn[]; problems: BatchProblem[] } {
  const plan = planColumns(workflow, ids, registry);
  const columns = plan.targets.map((t) => columnOf(workflow, t));
  // A sample field left out of the table keeps the template's sample: planColumns refuses that for the CLI, and so does the check.
  return { columns, problems: [...plan.problems, ...plan.warnings] };
}

function columnOf(workflow: Workflow, t: ColumnTarget): BatchColumn {
  const field = t.field;
  const node = workflow.nodes.find((n) => n.id === t.node);
  const current = t.schema.safeParse(node?.params[t.param]);
  const initial = field ? (isSampleField(field) || field.problem !== undefined ? undefined : field.value) : current.success ? current.data : undefined;
  const description = field?.description ?? t.meta.description;
  return {
    id: t.column,
    label: t.label,
    ...(description ? { description } : {}),
    target: t,
    image: t.meta.widget === 'image',
    required: t.required,
    initial,
    linked: field?.problem === undefined && field?.linked === true,
  };
}

export const isEmptyCell = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** The smallest free `0001`-style id. */
export function nextRowId(rows: readonly { id: string }[]): string {
  const used = new Set(rows.map((r) => r.id.toLowerCase()));
  for (let n = 1; ; n++) {
    const id = String(n).padStart(4, '0');
    if (!used.has(id)) return id;
  }
}

/** A row with every column at its initial value. */
export function blankRow(columns: readonly BatchColumn[], rows: readonly { id: string }[]): BatchTableRow {
  const cells: Record<string, unknown> = {};
  for (const c of columns) if (c.initial !== undefined) cells[c.id] = c.initial;
  return { key: newRowKey(), id: nextRowId(rows), cells };
}

/** Whether a row holds nothing but initial values (a paste replaces such rows). */
export function isBlankRow(row: BatchTableRow, columns: readonly BatchColumn[]): boolean {
  return columns.every((c) => {
    const v = row.cells[c.id];
    return isEmptyCell(v) || JSON.stringify(v) === JSON.stringify(c.initial);
  });
}

export function addRow(t: BatchTable): BatchTable {
  return { ...t, rows: [...t.rows, blankRow(t.columns, t.rows)] };
}

export function removeRow(t: BatchTable, key: string): BatchTable {
  return { ...t, rows: t.rows.filter((r) => r.key !== key) };
}

/** A copy of the row right below it, under a new id. */
export function duplicateRow(t: BatchTable, key: string): BatchTable {
  const i = t.rows.findIndex((r) => r.key === key);
  if (i < 0) return t;
  const copy = { key: newRowKey(), id: nextRowId(t.rows), cells: { ...t.rows[i]!.cells } };
  return { ...t, rows: [...t.rows.slice(0, i + 1), copy, ...t.rows.slice(i + 1)] };
}

export function setCell(t: BatchTable, key: string, columnId: string, value: unknown): BatchTable {
  return { ...t, rows: t.rows.map((r) => (r.key === key ? { ...r, cells: { ...r.cells, [columnId]: value } } : r)) };
}

export function setRowId(t: BatchTable, key: string, id: string): BatchTable {
  return { ...t, rows: t.rows.map((r) => (r.key === key ? { ...r, id } : r)) };
}

/** Text as the param wants it, the way `--set` reads it: the text itself when the schema takes it, else JSON (numbers, booleans), else the text. */
export function coerceText(raw: string, schema: z.ZodType): unknown {
  if (schema.safeParse(raw).success) return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** A pasted value for a column: an https URL or a known file name becomes an image reference; other text is coerced. */
export function cellFromText(raw: CellValue, column: BatchColumn, files: Readonly<Record<string, ImageRef>>): unknown {
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
  if (text === '') return undefined;
  if (!column.image) return coerceText(raw, column.target.schema);
  if (/^https?:\/\//i.test(text)) {
    const ref = zImageRef.safeParse({ kind: 'url', url: text });
    return ref.success ? ref.data : text;
  }
  return fileNamed(files, text) ?? text;
}

/** The image dropped under this name (ignoring case and any folder part). */
export function fileNamed(files: Readonly<Record<string, ImageRef>>, name: string): ImageRef | undefined {
  const base = (s: string) => s.split(/[\\/]/).pop()!.toLowerCase();
  const want = base(name);
  for (const [n, ref] of Object.entries(files)) if (base(n) === want) return ref;
  return undefined;
}

/** Why this cell cannot run, checked with its param's schema as the user types; undefined when it can. */
export function cellProblem(column: BatchColumn, value: unknown, files: Readonly<Record<string, ImageRef>>): string | undefined {
  if (isEmptyCell(value)) return column.required ? `${column.label} needs a value in every row (the template's sample is never submitted).` : undefined;
  if (column.image && typeof value === 'string') {
    return fileNamed(files, value) ? undefined : `No image “${value}” yet: drop the file on this column or choose it.`;
  }
  const v = typeof value === 'string' ? coerceText(value, column.target.schema) : value;
  if (column.target.field) {
    const checked = checkTemplateValue(column.target.field, v);
    return checked.ok ? undefined : checked.message;
  }
  const parsed = column.target.schema.safeParse(v);
  return parsed.success ? undefined : `${column.label}: ${parsed.error.issues[0]?.message ?? 'invalid value'}`;
}

/** Why a row id cannot name its folder, or is taken by an earlier row; undefined when it is fine. */
export function rowIdProblem(rows: readonly BatchTableRow[], index: number): string | undefined {
  const id = rows[index]!.id.trim();
  if (id === '') return 'Give the row an id: it names its folder in the zip.';
  const bad = idProblem(id);
  if (bad) return `Row id “${id.slice(0, 40)}” ${bad}.`;
  const first = rows.findIndex((r) => r.id.trim().toLowerCase() === id.toLowerCase());
  return first < index ? `Row id “${id}” is already used by row ${first + 1}: ids name folders, so each must be unique.` : undefined;
}

/** The table as rows for the batch core: `line` is the row's number in the table (1-based). */
export function toBatchRows(t: BatchTable): BatchRow[] {
  return t.rows.map((r, i) => {
    const cells: Record<string, CellValue> = {};
    for (const c of t.columns) {
      const v = r.cells[c.id];
      if (!isEmptyCell(v)) cells[c.id] = v as CellValue;
    }
    return { line: i + 1, id: r.id.trim(), cells };
  });
}

/** Image cells as the batch core resolves them: references as they are, https URLs, or the name of a file dropped for the batch. */
export function tableImages(files: Readonly<Record<string, ImageRef>>): ImageResolver {
  return async (raw) => {
    const text = raw.trim();
    if (/^https:\/\//i.test(text)) return { kind: 'url', url: text };
    const ref = fileNamed(files, text);
    if (ref) return ref;
    throw new Error(`No image “${text}”: drop the file on its column, or choose it in the cell.`);
  };
}
