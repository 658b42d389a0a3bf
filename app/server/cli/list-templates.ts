import type { ParamMeta } from '../../graph/node-definition';
import { loadWorkflow } from '../../graph/load-workflow';
import type { NodeRegistry } from '../../graph/registry';
import { builtinTemplates } from '../../templates';
import { needsValue, templateFields, type ResolvedTemplateField } from '../../templates/template-fields';

/** One template as `templates --json` prints it. */
export interface TemplateListing {
  id: string;
  title: string;
  description: string;
  fields: {
    id: string;
    label: string;
    description?: string;
    node: string;
    param: string;
    widget?: string;
    /** `run` refuses to start until `--set` gives this field a value: the template's value is only a sample. */
    required: boolean;
    value?: unknown;
    problem?: string;
  }[];
}

const VALUE_HINT: Record<NonNullable<ParamMeta['widget']>, string> = {
  image: '<path|https-url>',
  text: '<text>',
  textarea: '<text>',
  number: '<number>',
  seed: '<number>',
  select: '<choice>',
  frames: '<frames>',
  toggle: '<true|false>',
};

/** The `--set` placeholder for a param drawn with this widget, e.g. `<path|https-url>`. */
export const valueHint = (widget: ParamMeta['widget']): string => VALUE_HINT[widget ?? 'text'] ?? '<value>';

/** Every built-in template with its fields resolved against the registry. */
export function listTemplates(registry: NodeRegistry): TemplateListing[] {
  return builtinTemplates.map((t) => {
    const loaded = loadWorkflow(t.workflow, registry);
    const fields = loaded.ok ? templateFields(loaded.workflow, registry) : [];
    return { id: t.id, title: t.title, description: t.description, fields: fields.map(listField) };
  });
}

function listField(f: ResolvedTemplateField): TemplateListing['fields'][number] {
  return {
    id: f.id,
    label: f.label,
    ...(f.description ? { description: f.description } : {}),
    node: f.target.node,
    param: f.target.param,
    ...(f.meta.widget ? { widget: f.meta.widget } : {}),
    required: needsValue(f),
    ...(f.problem === undefined ? { value: f.value } : { problem: f.problem }),
  };
}

/**
 * The human-readable listing: a line per template, then a `--set` line per field marked
 * `required` (its template value is a sample; `run` refuses without it) or `optional` (the
 * template's value is a default meant for use, shown when short).
 */
export function formatTemplateListing(templates: readonly TemplateListing[]): string[] {
  const lines: string[] = [];
  for (const t of templates) {
    lines.push(`${t.id.padEnd(18)} ${t.title} — ${t.description}`);
    for (const f of t.fields) {
      const hint = valueHint(f.widget as ParamMeta['widget']);
      const now = f.problem ? ` (unusable: ${f.problem})` : f.required ? '' : shortValue(f.value);
      const need = f.required ? 'required' : 'optional';
      lines.push(`    --set ${`${f.id}=${hint}`.padEnd(28)} ${need}  ${f.label}${f.description ? ` — ${f.description}` : ''}${now}`);
    }
  }
  return lines;
}

/** Defaults that are numbers or short choices are worth showing; prompts and images are too long. */
const shortValue = (v: unknown) =>
  typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && v.length > 0 && v.length <= 24) ? ` (default ${String(v)})` : '';
