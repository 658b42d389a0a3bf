import type { ParamMeta } from '../graph/node-definition';
import type { NodeRegistry } from '../graph/registry';
import { zTemplateMeta, type TemplateField, type Workflow } from '../graph/workflow-schema';
import { formatPath } from '../lib/zod-format';
import { resolveTemplateField, type TemplateValueError } from './template-fields';

/** What "Save as template" asks for. */
export interface TemplateSpec {
  name: string;
  description?: string;
  fields: readonly TemplateField[];
}

/** A problem with a template being saved; `fieldId` is absent for name/description problems. */
export type TemplateSpecError = Omit<TemplateValueError, 'fieldId'> & { fieldId?: string };

/**
 * "Save as template": the workflow with `meta.name`, `meta.description` and `meta.template`
 * set. Refuses (as values) a missing name, malformed or duplicate field ids, and fields whose
 * target node or param does not exist or is replaced by a linked input.
 */
export function makeTemplate(
  workflow: Workflow,
  spec: TemplateSpec,
  registry: NodeRegistry,
): { ok: true; workflow: Workflow } | { ok: false; errors: TemplateSpecError[] } {
  const errors: TemplateSpecError[] = [];
  const name = spec.name.trim();
  if (!name) errors.push({ message: 'Give the template a name.' });
  if (name.length > 200) errors.push({ message: 'A template name is at most 200 characters.' });
  const description = spec.description?.trim();
  if (description !== undefined && description.length > 5_000) errors.push({ message: 'A template description is at most 5,000 characters.' });

  const meta = zTemplateMeta.safeParse({ fields: spec.fields });
  if (!meta.success) {
    for (const issue of meta.error.issues) {
      const [, index] = issue.path;
      const field = typeof index === 'number' ? spec.fields[index] : undefined;
      const label = field ? `${field.label || field.id}: ` : '';
      errors.push({ ...(field ? { fieldId: field.id } : {}), message: `${label}${formatPath(issue.path.slice(2)) || 'fields'} — ${issue.message}` });
    }
  } else {
    for (const field of meta.data.fields) {
      const resolved = resolveTemplateField(workflow, field, registry);
      if (resolved.problem !== undefined) errors.push({ fieldId: field.id, message: `${field.label}: this field ${resolved.problem}.` });
      else if (resolved.linked) {
        errors.push({
          fieldId: field.id,
          message: `${field.label}: "${field.target.param}" on "${field.target.node}" is replaced by a linked input; expose the linked node's param instead.`,
        });
      }
    }
  }
  if (errors.length || !meta.success) return { ok: false, errors };
  // No description given keeps the workflow's own; an empty one removes it.
  const { description: current, ...rest } = workflow.meta;
  const kept = description === undefined ? current : description || undefined;
  return {
    ok: true,
    workflow: { ...workflow, meta: { ...rest, name, ...(kept ? { description: kept } : {}), template: meta.data } },
  };
}

/** A param the Save-as-template dialog can offer as a field, with a suggested id and label. */
export interface TemplateFieldCandidate {
  field: TemplateField;
  widget: ParamMeta['widget'];
  /** Pre-ticked: images, prompts and image counts are what people usually change. */
  suggested: boolean;
  /** Replaced by a linked input: offered unticked, and makeTemplate refuses it. */
  linked: boolean;
}

/**
 * Which new fields are samples: images and prompts (textarea) are the content of one particular
 * run — the CLI must not submit them unseen — while numbers, choices, frames, seeds, toggles and
 * short texts (a file prefix) are settings whose current value is a sensible default.
 */
export const sampleByDefault = (widget: ParamMeta['widget']): boolean => widget === 'image' || widget === 'textarea';

/** Turns any text into a field id (`[a-z][a-zA-Z0-9-]*`). */
function toFieldId(text: string): string {
  const cleaned = text
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/^[^A-Za-z]+/, '')
    .replace(/-+$/, '');
  const id = cleaned ? cleaned[0]!.toLowerCase() + cleaned.slice(1) : 'field';
  return id.slice(0, 60);
}

/**
 * Every param of every known node as a possible field, in node order. Nodes with one param
 * (Load Image, Prompt) are named after the node; others after the param, prefixed by the node
 * when the name is taken. Ids come out unique and valid. Images and prompts come as samples,
 * every other param with `useDefault: true` (see {@link sampleByDefault}).
 */
export function templateFieldCandidates(workflow: Workflow, registry: NodeRegistry): TemplateFieldCandidate[] {
  const out: TemplateFieldCandidate[] = [];
  const used = new Set<string>();
  const unique = (id: string) => {
    let candidate = id;
    for (let n = 2; used.has(candidate); n++) candidate = `${id}-${n}`;
    used.add(candidate);
    return candidate;
  };
  for (const node of workflow.nodes) {
    const def = registry.get(node.kind);
    if (!def) continue;
    const params = Object.keys(def.params.shape);
    for (const param of params) {
      const resolved = resolveTemplateField(workflow, { id: 'x', label: 'x', target: { node: node.id, param } }, registry);
      const meta = resolved.meta;
      const nodeLabel = node.title ?? `${def.title} ${node.id}`;
      const single = params.length === 1;
      const base = single ? toFieldId(node.id) : toFieldId(param);
      const id = unique(!single && used.has(base) ? toFieldId(`${node.id}-${param}`) : base);
      const label = single ? nodeLabel : `${meta.label ?? param} (${node.title ?? node.id})`;
      const linked = resolved.problem === undefined && resolved.linked;
      const suggested = !linked && (meta.widget === 'image' || meta.widget === 'textarea' || param === 'maxImages');
      const sample = sampleByDefault(meta.widget);
      out.push({
        field: {
          id,
          label,
          ...(meta.description ? { description: meta.description } : {}),
          target: { node: node.id, param },
          ...(sample ? {} : { useDefault: true }),
        },
        widget: meta.widget,
        suggested,
        linked,
      });
    }
  }
  return out;
}
