import { z } from 'zod';
import { findExcessNesting, type ExcessNesting } from '../lib/json-nesting';

/**
 * The schema version this build writes. Older files are migrated (see migrations.ts). Version 3
 * added bypass/mute, colours, pins, collapse, notes and groups: a build that reads only up to 2
 * refuses such a file instead of dropping `mode` and paying for a bypassed node.
 */
export const CURRENT_SCHEMA_VERSION = 3;

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

/** How a node takes part in a run, when not normally (as ComfyUI's node modes 4 and 2). */
export const NODE_MODES = ['bypass', 'mute'] as const;
export const zNodeMode = z.enum(NODE_MODES);
export type NodeMode = z.infer<typeof zNodeMode>;

/** The colours a node, note or group can be given: names, not CSS, so a file cannot inject styles. */
export const NODE_COLORS = ['red', 'brown', 'green', 'blue', 'pale-blue', 'cyan', 'purple', 'yellow', 'black'] as const;
export const zNodeColor = z.enum(NODE_COLORS);
export type NodeColor = z.infer<typeof zNodeColor>;

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
  mode: zNodeMode.optional().meta({
    description: "bypass: the node does not run and passes an input of each output's type on ($0); mute: it never runs and the nodes it feeds are skipped.",
  }),
  color: zNodeColor.optional().meta({ description: 'A colour from the editor palette.' }),
  pinned: z.boolean().optional().meta({ description: 'true: the node cannot be dragged or deleted until unpinned.' }),
  collapsed: z.boolean().optional().meta({ description: 'true: drawn as its title bar only.' }),
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

/** A canvas item's size in flow units. */
export const zSize = z.object({ width: z.number().finite().min(40).max(20_000), height: z.number().finite().min(24).max(20_000) });

/** Longest note text: a page of markdown, not a document store. */
export const MAX_NOTE_CHARS = 10_000;

/** A note on the canvas: markdown text, drawn rendered; never run, never an input to anything. */
export const zWorkflowNote = z.object({
  id: zId,
  position: zPosition,
  size: zSize,
  text: z.string().max(MAX_NOTE_CHARS).meta({ description: 'Markdown (a safe subset: no HTML).' }),
  color: zNodeColor.optional(),
});
export type WorkflowNote = z.infer<typeof zWorkflowNote>;

/** A group: a titled frame that owns nodes and notes, which move with it. */
export const zWorkflowGroup = z.object({
  id: zId,
  title: z.string().max(200),
  /** Top-left corner and size of the frame, in flow units. */
  position: zPosition,
  size: zSize,
  color: zNodeColor.optional(),
  members: z.array(zId).max(5_000).default([]).meta({ description: 'Ids of the nodes and notes in the group (moved with it).' }),
});
export type WorkflowGroup = z.infer<typeof zWorkflowGroup>;

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
    notes: z.array(zWorkflowNote).max(1_000).optional(),
    groups: z.array(zWorkflowGroup).max(1_000).optional(),
    meta: zWorkflowMeta.default({}),
  })
  .superRefine((wf, ctx) => {
    // Nodes, notes and groups share one id space: they are all items on one canvas.
    const seen = new Set<string>();
    const unique = (id: string, path: (string | number)[], what: string) => {
      if (seen.has(id)) ctx.addIssue({ code: 'custom', path, message: `duplicate ${what} id "${id}" (node, note and group ids are unique together)` });
      seen.add(id);
    };
    wf.notes?.forEach((n, i) => unique(n.id, ['notes', i, 'id'], 'note'));
    wf.groups?.forEach((g, i) => unique(g.id, ['groups', i, 'id'], 'group'));
    wf.nodes.forEach((n, i) => {
      unique(n.id, ['nodes', i, 'id'], 'node');
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
