import type { z } from 'zod';
import type { ParamMeta } from '../graph/node-definition';
import type { ImageRef } from '../graph/ports';
import type { NodeRegistry } from '../graph/registry';
import type { Workflow, WorkflowNode } from '../graph/workflow-schema';
import { checkTemplateValue, needsValue, templateFields, type ResolvedTemplateField } from '../templates/template-fields';
import { ID_COLUMN, type BatchProblem, type BatchRow, type CellValue } from './rows';

/**
 * Turns an image cell (a path, an https URL) into a reference. The host decides what a path
 * means: a file relative to the rows file in the CLI, an asset in the editor. Throws an Error
 * whose message says what is wrong with the value.
 */
export type ImageResolver = (raw: string, signal?: AbortSignal) => Promise<ImageRef>;

/**
 * A text value as the param wants it, the way `--set` reads values: an image param takes a
 * path or URL (through `images`), a param that accepts the text itself gets it, anything else
 * is read as JSON (numbers, booleans), falling back to the text so the schema can say why not.
 */
export async function coerceValue(raw: string, schema: z.ZodType, meta: ParamMeta, images: ImageResolver, signal?: AbortSignal): Promise<unknown> {
  if (meta.widget === 'image') return images(raw, signal);
  if (schema.safeParse(raw).success) return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** Where one column's values go. */
export interface ColumnTarget {
  column: string;
  node: string;
  param: string;
  schema: z.ZodType;
  meta: ParamMeta;
  /** The template field it fills, when the column names one. */
  field?: ResolvedTemplateField;
  /** For messages: the field's label, or `<node>.<param>`. */
  label: string;
  /** A sample field: every row must give it a value. */
  required: boolean;
}

export interface ColumnPlan {
  targets: ColumnTarget[];
  /** The table cannot run as it is (unknown columns, sample fields with no column, …). */
  problems: BatchProblem[];
  /** Worth saying, not blocking (a column whose param is replaced by a linked input). */
  warnings: BatchProblem[];
}

/**
 * Table-level checks, before any row: every column must name a template field or a node param
 * (the `id` column names rows), no two columns may fill the same param, and every sample field
 * (no `useDefault`) must have a column, since a batch never pays for a template's samples.
 */
export function planColumns(workflow: Workflow, columns: readonly string[], registry: NodeRegistry, headerLine = 1): ColumnPlan {
  const fields = templateFields(workflow, registry);
  const fieldList = fields.length ? `Template fields: ${fields.map((f) => f.id).join(', ')}.` : 'This workflow has no template fields.';
  const targets: ColumnTarget[] = [];
  const problems: BatchProblem[] = [];
  const warnings: BatchProblem[] = [];
  const at = (column: string, code: string, message: string): BatchProblem => ({ line: headerLine, column, code, message });
  for (const column of columns) {
    if (column === ID_COLUMN) continue;
    if (!column.includes('.')) {
      const field = fields.find((f) => f.id === column);
      if (!field) {
        problems.push(at(column, 'column-unknown', `No template field "${column}". ${fieldList} Node params are columns named <node>.<param>.`));
        continue;
      }
      if (field.problem !== undefined) {
        problems.push(at(column, 'field-unusable', `The template field "${field.label}" ${field.problem}.`));
        continue;
      }
      targets.push({
        column,
        node: field.target.node,
        param: field.target.param,
        schema: field.schema,
        meta: field.meta,
        field,
        label: field.label,
        required: needsValue(field),
      });
      if (field.linked)
        warnings.push(at(column, 'column-linked', `"${field.label}" is replaced by a linked input in this workflow, so this column has no effect.`));
      continue;
    }
    const dot = column.lastIndexOf('.');
    const [nodeId, param] = [column.slice(0, dot), column.slice(dot + 1)];
    const node = workflow.nodes.find((n) => n.id === nodeId);
    if (!node || !param) {
      problems.push(
        at(column, 'column-unknown', `No node "${nodeId}". Nodes: ${workflow.nodes.map((n) => n.id).join(', ')}.${fields.length ? ` ${fieldList}` : ''}`),
      );
      continue;
    }
    const def = registry.get(node.kind);
    const schema = def?.params.shape[param] as z.ZodType | undefined;
    if (!def || !schema) {
      const known = def ? Object.keys(def.params.shape).join(', ') : 'none (unknown node kind)';
      problems.push(at(column, 'column-unknown', `Node "${nodeId}" has no param "${param}". Params: ${known}.`));
      continue;
    }
    const field = fields.find((f) => f.problem === undefined && f.target.node === nodeId && f.target.param === param);
    targets.push({
      column,
      node: nodeId,
      param,
      schema,
      meta: (schema.meta() ?? {}) as ParamMeta,
      ...(field ? { field } : {}),
      label: column,
      required: field ? needsValue(field) : false,
    });
  }
  const byParam = new Map<string, string>();
  for (const t of targets) {
    const key = `${t.node}.${t.param}`;
    const other = byParam.get(key);
    if (other) problems.push(at(t.column, 'column-duplicate', `Columns "${other}" and "${t.column}" both fill ${key}: keep one.`));
    byParam.set(key, t.column);
  }
  for (const f of fields) {
    if (!needsValue(f) || byParam.has(`${f.target.node}.${f.target.param}`)) continue;
    problems.push(
      at(
        f.id,
        'field-unset',
        `The template's "${f.label}" is only a sample: add a column "${f.id}" with a value for every row (the sample is never submitted).`,
      ),
    );
  }
  return { targets, problems, warnings };
}

/** One value a row put into the workflow. */
export interface AssignedValue {
  column: string;
  node: string;
  param: string;
  value: unknown;
}

export type ResolvedRow = { ok: true; workflow: Workflow; assigned: AssignedValue[] } | { ok: false; problems: BatchProblem[] };

const isEmpty = (v: CellValue | undefined): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/**
 * A row as a workflow: each cell applied like `--set` (see coerceValue) and checked with its
 * param's schema; an empty cell keeps the workflow's value, except for sample fields. Every
 * bad cell of the row is reported (line and column), not only the first. Never mutates `workflow`.
 */
export async function resolveRow(workflow: Workflow, plan: ColumnPlan, row: BatchRow, images: ImageResolver, signal?: AbortSignal): Promise<ResolvedRow> {
  const problems: BatchProblem[] = [];
  const assigned: AssignedValue[] = [];
  const bad = (t: ColumnTarget, code: string, message: string) => problems.push({ line: row.line, column: t.column, code, message });
  for (const t of plan.targets) {
    const cell = row.cells[t.column];
    if (isEmpty(cell)) {
      if (t.required) bad(t, 'value-missing', `"${t.label}" needs a value in every row (the template's sample is never submitted).`);
      continue;
    }
    let value: unknown;
    try {
      value = typeof cell === 'string' ? await coerceValue(cell, t.schema, t.meta, images, signal) : cell;
    } catch (e) {
      bad(t, 'value-invalid', e instanceof Error ? e.message : String(e));
      continue;
    }
    const checked = checkValue(t, value);
    if (!checked.ok) {
      bad(t, 'value-invalid', `${checked.message} (got ${preview(cell)}).`);
      continue;
    }
    assigned.push({ column: t.column, node: t.node, param: t.param, value: checked.value });
  }
  if (problems.length) return { ok: false, problems };
  const byNode = new Map<string, WorkflowNode>();
  for (const a of assigned) {
    const node = byNode.get(a.node) ?? workflow.nodes.find((n) => n.id === a.node)!;
    byNode.set(a.node, { ...node, params: { ...node.params, [a.param]: a.value } });
  }
  return { ok: true, workflow: { ...workflow, nodes: workflow.nodes.map((n) => byNode.get(n.id) ?? n) }, assigned };
}

function checkValue(t: ColumnTarget, value: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  if (t.field) return checkTemplateValue(t.field, value);
  const parsed = t.schema.safeParse(value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: `${t.label}: ${parsed.error.issues[0]?.message ?? 'invalid value'}` };
}

function preview(cell: CellValue | undefined): string {
  const text = typeof cell === 'string' ? cell : JSON.stringify(cell);
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}…` : text);
}
