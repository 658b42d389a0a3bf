import type { z } from 'zod';
import { coerceValue } from '../../batch/resolve-row';
import type { AssetStore, ParamMeta } from '../../graph/node-definition';
import type { NodeRegistry } from '../../graph/registry';
import type { Workflow, WorkflowNode } from '../../graph/workflow-schema';
import { checkTemplateValue, templateFields, type ResolvedTemplateField } from '../../templates/template-fields';
import { UsageError } from './args';
import { imageFromArg } from './workflow-source';

const SHAPE_HINT = 'must look like <field>=<value> (a template field) or <node>.<param>=<value>, e.g. maxImages=4 or gen.maxImages=4';

/**
 * Applies `--set` overrides, in order: `<field>=<value>` fills a template field (ids have no
 * dot), `<node>.<param>=<value>` any node param. The value is used as text when the param takes
 * text, else read as JSON (numbers, booleans); an image param takes a path or https URL. Every
 * mistake names the field or node and param, and lists what would be right.
 */
export async function applySets(workflow: Workflow, sets: readonly string[], registry: NodeRegistry, assets: AssetStore, cwd: string): Promise<Workflow> {
  const nodes: WorkflowNode[] = workflow.nodes.map((n) => ({ ...n, params: { ...n.params } }));
  const fields = templateFields(workflow, registry);
  const fieldList = fields.length ? `Template fields: ${fields.map((f) => f.id).join(', ')}.` : 'This workflow has no template fields.';
  for (const set of sets) {
    const eq = set.indexOf('=');
    const target = eq > 0 ? set.slice(0, eq) : '';
    const raw = set.slice(eq + 1);
    if (eq <= 0 || target.startsWith('.') || target.endsWith('.')) throw new UsageError(`--set "${set}" ${SHAPE_HINT}.`);

    if (!target.includes('.')) {
      const field = fields.find((f) => f.id === target);
      if (!field) throw new UsageError(`--set ${target}: no template field "${target}". ${fieldList} Node params are set as <node>.<param>=<value>.`);
      if (field.problem !== undefined) throw new UsageError(`--set ${target}: the template field "${field.label}" ${field.problem}.`);
      const checked = checkTemplateValue(field, await coerce(raw, field.schema, field.meta, assets, cwd));
      if (!checked.ok) throw new UsageError(`--set ${target}=${raw}: ${checked.message}.`);
      setParam(nodes, field, checked.value);
      continue;
    }

    const dot = target.lastIndexOf('.');
    const [nodeId, param] = [target.slice(0, dot), target.slice(dot + 1)];
    const node = nodes.find((n) => n.id === nodeId);
    if (!node) {
      const hint = fields.length ? ` ${fieldList}` : '';
      throw new UsageError(`--set ${target}: no node "${nodeId}". Nodes: ${nodes.map((n) => n.id).join(', ')}.${hint}`);
    }
    const def = registry.get(node.kind);
    const schema = def?.params.shape[param] as z.ZodType | undefined;
    if (!def || !schema) {
      const known = def ? Object.keys(def.params.shape).join(', ') : 'none (unknown node kind)';
      throw new UsageError(`--set ${target}: node "${nodeId}" has no param "${param}". Params: ${known}.`);
    }
    const value = await coerce(raw, schema, (schema.meta() ?? {}) as ParamMeta, assets, cwd);
    const check = schema.safeParse(value);
    if (!check.success) throw new UsageError(`--set ${target}=${raw}: ${check.error.issues[0]?.message ?? 'invalid value'}.`);
    node.params[param] = value;
  }
  return { ...workflow, nodes };
}

/** A command-line string as the value the param wants (the batch core's coercion); image paths are relative to `cwd`. */
const coerce = (raw: string, schema: z.ZodType, meta: ParamMeta, assets: AssetStore, cwd: string): Promise<unknown> =>
  coerceValue(raw, schema, meta, (arg) => imageFromArg(arg, assets, cwd));

function setParam(nodes: WorkflowNode[], field: ResolvedTemplateField, value: unknown): void {
  const node = nodes.find((n) => n.id === field.target.node);
  if (node) node.params[field.target.param] = value;
}
