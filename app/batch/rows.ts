/**
 * Rows of a batch from CSV, TSV or JSONL text: one run per row, a header of template field ids
 * (or `node.param`), an optional `id` column. Pure and isomorphic (the CLI reads a file, the
 * editor a paste or a drop). Every problem names its line (1-based, as an editor shows it) and,
 * where it has one, its column; nothing is thrown for bad input.
 */

import { parseDelimited } from './delimited';

export type RowsFormat = 'csv' | 'tsv' | 'jsonl';

/** A value from a rows file: text from CSV/TSV, any JSON value from JSONL. `undefined`/`null`/`''` leave the param as the workflow has it. */
export type CellValue = string | number | boolean | null | readonly unknown[] | { readonly [key: string]: unknown };

/** Something wrong with the rows or one row, where it is. */
export interface BatchProblem {
  /** 1-based line in the rows text (a row's first line when a quoted cell spans several). */
  line: number;
  /** The column (header name) it is about, when it is about one. */
  column?: string;
  /** The workflow node it is about, when a check of the resolved workflow found it. */
  nodeId?: string;
  /** Stable, for tests and UIs: `syntax`, `header-duplicate`, `cell-count`, `id-invalid`, `id-duplicate`, … */
  code: string;
  message: string;
  /** The whole table is unusable (a header problem, an unclosed quote), not only this line. */
  fatal?: boolean;
}

export interface BatchRow {
  /** Where the row starts in the text (1-based). */
  line: number;
  /** The `id` cell, or `0001…` by position; safe as a folder name and unique (ignoring case). */
  id: string;
  /** By column, without the `id` column. */
  cells: Readonly<Record<string, CellValue>>;
}

export interface RowsTable {
  format: RowsFormat;
  /** Header names in order, without `id`. */
  columns: string[];
  /** Whether the rows named themselves with an `id` column. */
  hasIdColumn: boolean;
  rows: BatchRow[];
  /** Problems of the text itself: when any is an error of a row, that row is left out of `rows`. */
  problems: BatchProblem[];
}

/** The column that names rows (a template field called `id` is set as `<node>.<param>`). */
export const ID_COLUMN = 'id';
/** Most rows one batch takes: far beyond any real batch, and it bounds memory. */
export const MAX_ROWS = 100_000;

/** The format a file name says (`.csv`, `.tsv`/`.tab`, `.jsonl`/`.ndjson`), if it says one. */
export function formatOfName(name: string): RowsFormat | undefined {
  const ext = /\.([a-z]+)$/i.exec(name)?.[1]?.toLowerCase();
  if (ext === 'csv') return 'csv';
  if (ext === 'tsv' || ext === 'tab') return 'tsv';
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  return undefined;
}

/** A guess for pasted text: a JSON object on the first line is JSONL, a tab in it TSV, else CSV. */
export function sniffFormat(text: string): RowsFormat {
  const first = stripBom(text).split(/\r?\n/, 1)[0]?.trim() ?? '';
  if (first.startsWith('{')) return 'jsonl';
  return first.includes('\t') ? 'tsv' : 'csv';
}

/** Parses rows text into a table; problems are values (see RowsTable). */
export function parseRows(text: string, format: RowsFormat): RowsTable {
  const body = stripBom(text);
  if (format === 'jsonl') return parseJsonl(body);
  const parsed = parseDelimited(body, format === 'tsv' ? '\t' : ',');
  const problems = [...parsed.problems];
  const [header, ...records] = parsed.records;
  if (!header || (header.cells.length === 1 && header.cells[0] === '')) {
    problems.push({
      line: 1,
      code: 'header-missing',
      fatal: true,
      message: 'The first line must name the columns: template field ids or <node>.<param>, and optionally id.',
    });
    return { format, columns: [], hasIdColumn: false, rows: [], problems };
  }
  const names = header.cells.map((c) => c.trim());
  problems.push(...headerProblems(names, header.line));
  const rows: RawRow[] = [];
  for (const r of records) {
    if (r.cells.length === 1 && r.cells[0]!.trim() === '') continue;
    if (r.cells.length !== names.length) {
      problems.push({
        line: r.line,
        code: 'cell-count',
        message: `This row has ${r.cells.length} cell(s) but the header has ${names.length} column(s). Quote cells that contain ${format === 'tsv' ? 'tabs' : 'commas'} or line breaks ("like, this").`,
      });
      continue;
    }
    rows.push({ line: r.line, values: Object.fromEntries(names.map((n, i) => [n, r.cells[i]!])) });
  }
  return finish(format, names, rows, problems);
}

interface RawRow {
  line: number;
  values: Record<string, CellValue>;
}

function parseJsonl(text: string): RowsTable {
  const problems: BatchProblem[] = [];
  const rows: RawRow[] = [];
  const names: string[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r\n|\n|\r/);
  for (const [i, raw] of lines.entries()) {
    const line = i + 1;
    if (raw.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      problems.push({
        line,
        code: 'syntax',
        message: `Not valid JSON: ${e instanceof Error ? e.message : String(e)}. Each line must be one JSON object, e.g. {"id": "a", "prompt": "…"}.`,
      });
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push({ line, code: 'not-an-object', message: 'Each line must be one JSON object of column → value, e.g. {"id": "a", "prompt": "…"}.' });
      continue;
    }
    for (const key of Object.keys(value)) {
      if (!seen.has(key)) {
        seen.add(key);
        names.push(key);
      }
    }
    rows.push({ line, values: value as Record<string, CellValue> });
  }
  problems.push(...headerProblems(names, 1).filter((p) => p.code !== 'header-duplicate'));
  return finish('jsonl', names, rows, problems);
}

function headerProblems(names: readonly string[], line: number): BatchProblem[] {
  const problems: BatchProblem[] = [];
  const seen = new Set<string>();
  for (const [i, name] of names.entries()) {
    if (name === '')
      problems.push({ line, code: 'header-empty', fatal: true, message: `Column ${i + 1} has no name: name it after a template field or <node>.<param>.` });
    else if (seen.has(name))
      problems.push({
        line,
        column: name,
        code: 'header-duplicate',
        fatal: true,
        message: `Column "${name}" appears twice: each field or param gets one column.`,
      });
    seen.add(name);
  }
  return problems;
}

/** Names the rows (checking ids) and drops the `id` column from the cells. */
function finish(format: RowsFormat, names: readonly string[], raw: readonly RawRow[], problems: BatchProblem[]): RowsTable {
  const hasIdColumn = names.includes(ID_COLUMN);
  const columns = names.filter((n) => n !== ID_COLUMN && n !== '');
  if (raw.length > MAX_ROWS) {
    problems.push({ line: raw[MAX_ROWS]!.line, code: 'too-many-rows', fatal: true, message: `A batch takes at most ${MAX_ROWS} rows; split the file.` });
  }
  const width = Math.max(4, String(raw.length).length);
  const byId = new Map<string, number>();
  const rows: BatchRow[] = [];
  for (const [i, r] of raw.slice(0, MAX_ROWS).entries()) {
    const given = r.values[ID_COLUMN];
    const explicit = given !== undefined && given !== null && String(given).trim() !== '';
    const id = explicit ? String(given as string | number).trim() : String(i + 1).padStart(width, '0');
    const bad = explicit ? idProblem(id) : undefined;
    if (bad) {
      problems.push({ line: r.line, column: ID_COLUMN, code: 'id-invalid', message: `Row id "${id.slice(0, 80)}" ${bad}.` });
      continue;
    }
    const folded = id.toLowerCase();
    const first = byId.get(folded);
    if (first !== undefined) {
      problems.push({
        line: r.line,
        column: ID_COLUMN,
        code: 'id-duplicate',
        message: `Row id "${id}" is already used on line ${first}${explicit ? '' : ' (rows without an id are numbered by position)'}: ids name output folders, so each must be unique (ignoring case).`,
      });
      continue;
    }
    byId.set(folded, r.line);
    const cells: Record<string, CellValue> = {};
    for (const c of columns) if (r.values[c] !== undefined) cells[c] = r.values[c]!;
    rows.push({ line: r.line, id, cells });
  }
  return { format, columns, hasIdColumn, rows, problems };
}

const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/** Why `id` cannot name a folder on every system, or undefined when it can. */
export function idProblem(id: string): string | undefined {
  if (id.length > 64) return 'is longer than 64 characters';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id))
    return 'must start with a letter or digit and use only letters, digits, ".", "_" and "-" (it names the row\'s output folder)';
  if (id.endsWith('.')) return 'must not end with "."';
  if (RESERVED.test(id)) return 'is a reserved device name on Windows';
  if (/^batch\.json/i.test(id)) return 'would clash with batch.json';
  return undefined;
}

const stripBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
