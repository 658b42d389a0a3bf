import type { z } from 'zod';
import type { ParamMeta } from '../graph/node-definition';
import type { NodeRegistry } from '../graph/registry';
import type { TemplateField, Workflow, WorkflowNode } from '../graph/workflow-schema';

export { zTemplateField, zTemplateFieldId, zTemplateMeta, type TemplateField, type TemplateMeta } from '../graph/workflow-schema';

/**
 * A template is a plain workflow whose `meta.template.fields` name the node params a user fills
 * in. These functions resolve the fields against the node registry (for the Use-template form
 * and the CLI's `--set <field>=…`) and write values back. Pure and isomorphic.
 */

/** Where a field points, looked up: the param's schema and hints, or why it cannot be used. */
export type ResolvedTemplateField = TemplateField &
  (
    | {
        problem?: undefined;
        /** The param's zod schema: validates values; `widgetFor(field.id, field.schema)` draws it. */
        schema: z.ZodType;
        /** The param's UI hints (widget, label, placeholder…). */
        meta: ParamMeta;
        /** The value the workflow holds now (the param default when unset). */
        value: unknown;
        /** The target node's kind. */
        kind: string;
        /** The param is replaced by a linked input, so values set here have no effect while linked. */
        linked: boolean;
      }
    | { problem: string; schema?: undefined; meta: ParamMeta; value?: undefined; kind?: string; linked?: undefined }
  );

/** A value refused for a field, in words naming the field. */
export interface TemplateValueError {
  fieldId: string;
  message: string;
}

/** The template's fields, or none when the workflow is not a template. */
export const templateFieldsOf = (workflow: Workflow): readonly TemplateField[] => workflow.meta.template?.fields ?? [];

/**
 * Whether the template's value for this field is only a sample (the reference pictures, the
 * story) rather than a default meant for use (a frame count, a resolution). A field without the
 * `useDefault` flag is a sample, so templates saved before the flag existed stay on the safe side.
 */
export const isSampleField = (field: TemplateField): boolean => field.useDefault !== true;

/**
 * Whether a headless run must be given a value for this field: its template value is a sample,
 * and a value set for it would take effect (it resolves and is not replaced by a linked input).
 */
export const needsValue = (field: ResolvedTemplateField): boolean => isSampleField(field) && field.problem === undefined && !field.linked;

/** Resolves one field against the workflow and registry. */
export function resolveTemplateField(workflow: Workflow, field: TemplateField, registry: NodeRegistry): ResolvedTemplateField {
  const { node: nodeId, param } = field.target;
  const node = workflow.nodes.find((n) => n.id === nodeId);
  if (!node) return { ...field, meta: {}, problem: `points at node "${nodeId}", which is not in the workflow` };
  const def = registry.get(node.kind);
  if (!def) return { ...field, meta: {}, kind: node.kind, problem: `points at node "${nodeId}" of kind "${node.kind}", which this version does not know` };
  const schema = def.params.shape[param] as z.ZodType | undefined;
  if (!schema) {
    const known = Object.keys(def.params.shape).join(', ');
    return { ...field, meta: {}, kind: node.kind, problem: `points at param "${param}", which ${def.title} "${nodeId}" does not have (it has: ${known})` };
  }
  const raw = node.params[param];
  const parsed = schema.safeParse(raw);
  const linked = def.inputs.some((p) => p.replacesParam === param && workflow.edges.some((e) => e.target.node === nodeId && e.target.port === p.name));
  return { ...field, schema, meta: (schema.meta() ?? {}) as ParamMeta, value: parsed.success ? parsed.data : raw, kind: node.kind, linked };
}

/** Every field of the template, resolved (empty when the workflow is not a template). */
export function templateFields(workflow: Workflow, registry: NodeRegistry): ResolvedTemplateField[] {
  return templateFieldsOf(workflow).map((f) => resolveTemplateField(workflow, f, registry));
}

/** Checks one value against a resolved field; the message names the field by its label. */
export function checkTemplateValue(field: ResolvedTemplateField, value: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  if (field.problem !== undefined) return { ok: false, message: `${field.label}: this field ${field.problem}` };
  const parsed = field.schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const first = parsed.error.issues[0];
  return { ok: false, message: `${field.label}: ${first?.message ?? 'invalid value'}` };
}

/**
 * Fills template fields with values (by field id) and returns the filled workflow. Each value is
 * checked with its param's schema; refused values are reported by field (naming its label) and
 * left out, so `workflow` holds only the accepted ones. Fields without a value (or `undefined`)
 * keep what the workflow holds. Never mutates the input.
 */
export function applyTemplateValues(
  workflow: Workflow,
  values: Readonly<Record<string, unknown>>,
  registry: NodeRegistry,
): { ok: boolean; workflow: Workflow; errors: TemplateValueError[] } {
  const fields = new Map(templateFields(workflow, registry).map((f) => [f.id, f]));
  const errors: TemplateValueError[] = [];
  const changed = new Map<string, WorkflowNode>();
  for (const [fieldId, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const field = fields.get(fieldId);
    if (!field) {
      const known = [...fields.keys()].join(', ') || 'none (this workflow is not a template)';
      errors.push({ fieldId, message: `There is no field "${fieldId}" in this template. Fields: ${known}.` });
      continue;
    }
    const checked = checkTemplateValue(field, value);
    if (!checked.ok) {
      errors.push({ fieldId, message: checked.message });
      continue;
    }
    const { node: nodeId, param } = field.target;
    const node = changed.get(nodeId) ?? workflow.nodes.find((n) => n.id === nodeId)!;
    changed.set(nodeId, { ...node, params: { ...node.params, [param]: checked.value } });
  }
  const nodes = changed.size ? workflow.nodes.map((n) => changed.get(n.id) ?? n) : workflow.nodes;
  return { ok: errors.length === 0, workflow: { ...workflow, nodes }, errors };
}
