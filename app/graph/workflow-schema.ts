import { z } from 'zod';
import { findExcessNesting, type ExcessNesting } from '../lib/json-nesting';

/** The schema version this build writes. Older files are migrated (see migrations.ts). */
export const CURRENT_SCHEMA_VERSION = 2;

/** Node and edge ids: short, printable, safe in file names and DOM ids. */
export const zId = z
  .string()
  .min(1, 'an id cannot be empty')
  .max(64, 'an id is at most 64 characters')
  .regex(/^[A-Za-z0-9_.:-]+$/, 'an id uses only letters, digits and _ . : -');

export const zPosition = z.object({ x: z.number().finite(), y: z.number().finite() });

/**
 * Deepest nesting of objects and arrays in a workflow, counted from the top of the file (the
 * file's object is level 1, so a node's params are level 4 and a param value may nest 60 more
 * levels). Real workflows nest a handful; `JSON.stringify` and `structuredClone` (autosave,
 * export, PNG embedding, sidecars) overflow the stack at a few thousand, which `JSON.parse`
 * builds without complaint.
 */
export const MAX_WORKFLOW_NESTING = 64;

/** Levels above a param value (file, nodes, node, params) and above a meta value (file, meta). */
const PARAM_VALUE_LEVEL = 4;
const META_VALUE_LEVEL = 2;

/** Longest string a param may hold: prompts and URLs fit; inlined image data does not. */
export const MAX_PARAM_STRING = 16_384;

/** A saved node instance: what the file holds. Ports, labels and defaults come from the registry. */
export const zWorkflowNode = z.object({
  id: zId,
  kind: z.string().min(1).max(100).meta({ description: 'Namespaced, stable node kind, e.g. seedream.edit-sequential.' }),
  kindVersion: z.number().int().min(1).meta({ description: "The version of the kind's contract the params were written for." }),
  /** Raw params; validated against the kind's schema by the planner, not here. */
  params: z.record(z.string(), z.unknown()).default({}).meta({ description: "Param values by name; the node kind's own schema decides what is valid." }),
  position: zPosition,
  /** Optional user-given title shown instead of the kind's title. */
  title: z.string().max(200).optional(),
});
export type WorkflowNode = z.infer<typeof zWorkflowNode>;

export const zPortRef = z.object({ node: zId, port: z.string().min(1).max(64) });
export type PortRef = z.infer<typeof zPortRef>;

export const zWorkflowEdge = z.object({
  id: zId,
  source: zPortRef,
  target: zPortRef,
  order: z.number().int().min(0).optional().meta({ description: 'Position among the links of a multiple input (ascending); ties keep file order.' }),
});
export type WorkflowEdge = z.infer<typeof zWorkflowEdge>;

/** A template field id: what `--set <field>=…` and the Use-template form call it (no dots). */
export const zTemplateFieldId = z
  .string()
  .max(64, 'a field id is at most 64 characters')
  .regex(/^[a-z][a-zA-Z0-9-]*$/, 'a field id starts with a lowercase letter and uses only letters, digits and -');

/** One exposed field of a template: a label for people, the node param it fills, and whether its value is a sample. */
export const zTemplateField = z.object({
  id: zTemplateFieldId,
  label: z.string().min(1, 'a field needs a label').max(200),
  description: z.string().max(1_000).optional(),
  target: z.object({ node: zId, param: z.string().min(1).max(64) }).meta({ description: 'The node param this field fills.' }),
  // Absent means sample, so templates saved before this flag existed never pay for their sample pictures silently.
  useDefault: z
    .boolean()
    .optional()
    .meta({
      description:
        "true: the template's value is a default meant for use (a frame count, a resolution) and may be left as it is. " +
        'Absent or false: the value is a sample (pictures, a story) that the CLI refuses to submit until --set replaces it.',
    }),
});
export type TemplateField = z.infer<typeof zTemplateField>;

/**
 * `meta.template`: makes a workflow a template by naming the params a user fills in when
 * using it (reference images, prompt, max images…). Field ids and targets are unique.
 */
export const zTemplateMeta = z.object({ fields: z.array(zTemplateField).max(100, 'a template exposes at most 100 fields') }).superRefine((t, ctx) => {
  const ids = new Set<string>();
  const targets = new Set<string>();
  t.fields.forEach((f, i) => {
    if (ids.has(f.id)) ctx.addIssue({ code: 'custom', path: ['fields', i, 'id'], message: `duplicate field id "${f.id}"` });
    const target = `${f.target.node}.${f.target.param}`;
    if (targets.has(target)) {
      ctx.addIssue({ code: 'custom', path: ['fields', i, 'target'], message: `${target} is already exposed by another field` });
    }
    ids.add(f.id);
    targets.add(target);
  });
});
export type TemplateMeta = z.infer<typeof zTemplateMeta>;

export const zWorkflowMeta = z
  .object({
    name: z.string().max(200).optional(),
    description: z.string().max(5_000).optional(),
    createdAt: z.string().optional(),
    updatedAt: z.string().optional(),
    template: zTemplateMeta.optional().meta({
      description: 'Makes the workflow a template: the node params a user fills in when using it (form fields, CLI --set <field>=…).',
    }),
    /** Free-form extra data from other tools is kept, not dropped. */
  })
  .catchall(z.unknown());
export type WorkflowMeta = z.infer<typeof zWorkflowMeta>;

/** A saved workflow at the current schema version. */
export const zWorkflow = z
  .object({
    schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
    nodes: z.array(zWorkflowNode),
    edges: z.array(zWorkflowEdge),
    meta: zWorkflowMeta.default({}),
  })
  .superRefine((wf, ctx) => {
    const seen = new Set<string>();
    wf.nodes.forEach((n, i) => {
      if (seen.has(n.id)) {
        ctx.addIssue({ code: 'custom', path: ['nodes', i, 'id'], message: `duplicate node id "${n.id}"` });
      }
      seen.add(n.id);
      for (const [key, value] of Object.entries(n.params)) {
        const excess = findExcessNesting(value, MAX_WORKFLOW_NESTING - PARAM_VALUE_LEVEL);
        if (excess) {
          ctx.addIssue({ code: 'custom', path: ['nodes', i, 'params', key], message: nestingMessage(excess) });
          continue;
        }
        const bad = findInlinedData(value);
        if (bad) {
          ctx.addIssue({
            code: 'custom',
            path: ['nodes', i, 'params', key],
            message: `${bad}: images are referenced by https URL or asset id, never inlined in the workflow`,
          });
        }
      }
    });
    for (const [key, value] of Object.entries(wf.meta)) {
      const excess = findExcessNesting(value, MAX_WORKFLOW_NESTING - META_VALUE_LEVEL);
      if (excess) ctx.addIssue({ code: 'custom', path: ['meta', key], message: nestingMessage(excess) });
    }
    const edgeIds = new Set<string>();
    wf.edges.forEach((e, i) => {
      if (edgeIds.has(e.id)) {
        ctx.addIssue({ code: 'custom', path: ['edges', i, 'id'], message: `duplicate edge id "${e.id}"` });
      }
      edgeIds.add(e.id);
    });
  });
export type Workflow = z.infer<typeof zWorkflow>;

function nestingMessage(excess: ExcessNesting): string {
  return excess.kind === 'too-deep'
    ? `nested more than ${MAX_WORKFLOW_NESTING} levels deep (counted from the top of the workflow); workflows hold plain values`
    : `holds more than ${excess.limit} objects and arrays`;
}

function findInlinedData(value: unknown, depth = 0): string | undefined {
  if (depth > 8) return undefined;
  if (typeof value === 'string') {
    if (/^data:/i.test(value)) return 'a data: URI';
    if (value.length > MAX_PARAM_STRING) return `a string of ${value.length} characters (max ${MAX_PARAM_STRING})`;
    return undefined;
  }
  if (Array.isArray(value)) {
    for (const v of value) {
      const bad = findInlinedData(v, depth + 1);
      if (bad) return bad;
    }
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) {
      const bad = findInlinedData(v, depth + 1);
      if (bad) return bad;
    }
  }
  return undefined;
}

/** An empty workflow at the current version. */
export function emptyWorkflow(meta: WorkflowMeta = {}): Workflow {
  return { schemaVersion: CURRENT_SCHEMA_VERSION, nodes: [], edges: [], meta };
}
