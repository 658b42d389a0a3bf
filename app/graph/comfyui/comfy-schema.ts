import { z } from 'zod';

/**
 * Zod schemas of the two shapes ComfyUI writes a graph in, after ComfyUI_frontend's own
 * `src/schemas/comfyWorkflowSchema.ts` (zComfyWorkflow 0.4, zComfyWorkflow1, zComfyApiWorkflow),
 * but tolerant: files vary by frontend version and custom nodes, so each node and link is
 * parsed on its own and one odd entry costs that entry, not the file. Plain `z.object` (which
 * drops unknown keys) on purpose: copying unknown keys of hostile JSON (`__proto__`) is how
 * prototypes get polluted.
 */

/** More nodes than any hand-built graph holds; a file past this is refused, not walked. */
export { MAX_COMFY_LINKS, MAX_COMFY_NODES } from './detect';
const MAX_NAME = 500;

/** Node ids: integers in the UI format; strings in the API format and in group/subgraph nodes ("12:3"). */
export const zComfyNodeId = z.union([z.number().int(), z.string().min(1).max(200)]).transform(String);

/** Slot numbers; the frontend's schema also accepts numeric strings. */
const zSlot = z.union([
  z.number().int().min(0),
  z
    .string()
    .regex(/^\d{1,6}$/)
    .transform(Number),
]);

/** A data type: "IMAGE", or a list of types (rgthree), or a number (some custom nodes). */
const zDataType = z
  .union([z.string().max(MAX_NAME), z.array(z.string().max(MAX_NAME)).max(50), z.number()])
  .transform((t) => (Array.isArray(t) ? t.join(',') : String(t)));

/** `pos` is `[x, y]`, or `{ "0": x, "1": y }` in files from older LiteGraph versions. */
const zVector2 = z
  .union([z.tuple([z.number(), z.number()], z.unknown()), z.object({ 0: z.number(), 1: z.number() }).transform((v) => [v[0], v[1]] as const)])
  .transform(([x, y]) => ({ x, y }))
  .refine((p) => Number.isFinite(p.x) && Number.isFinite(p.y));

/** `size` is `[width, height]`, or `{ "0": w, "1": h }` in older files. */
const zSize2 = zVector2.transform(({ x, y }) => ({ width: x, height: y }));

/** A colour as LiteGraph saves it ("#432"); read only to match the palette, never used as CSS. */
const zColor = z.string().max(40).optional().catch(undefined);

const zWidgetRef = z.object({ name: z.string().max(MAX_NAME) });

/** An input slot: a socket, or (when `widget` is set) a widget that can take a link. */
export const zUiInput = z.object({
  name: z.string().max(MAX_NAME),
  type: zDataType.optional().catch(undefined),
  link: z.number().int().nullable().optional().catch(null),
  widget: zWidgetRef.optional().catch(undefined),
});

export const zUiOutput = z.object({
  name: z.string().max(MAX_NAME).optional().catch(undefined),
  type: zDataType.optional().catch(undefined),
  links: z.array(z.number().int()).nullable().optional().catch(null),
  /** Set on a frontend PrimitiveNode's output: the widget of the target it drives. */
  widget: zWidgetRef.optional().catch(undefined),
});

/** One node of the UI format (what "Save" and the PNG `workflow` chunk hold). */
export const zUiNode = z.object({
  id: zComfyNodeId,
  type: z.string().min(1).max(MAX_NAME),
  title: z.string().max(MAX_NAME).optional().catch(undefined),
  pos: zVector2.optional().catch(undefined),
  size: zSize2.optional().catch(undefined),
  /** Title bar and body colours, set by the frontend's colour menu. */
  color: zColor,
  bgcolor: zColor,
  /** LiteGraph modes: 0 always, 1 on event, 2 never (muted), 3 on trigger, 4 bypass. */
  mode: z.number().int().optional().catch(undefined),
  inputs: z.array(zUiInput.nullable().catch(null)).max(500).optional().catch(undefined),
  outputs: z.array(zUiOutput.nullable().catch(null)).max(500).optional().catch(undefined),
  /** Positional (the node's widget order), or keyed by widget name in some newer/custom nodes. */
  widgets_values: z
    .union([z.array(z.unknown()), z.record(z.string(), z.unknown())])
    .optional()
    .catch(undefined),
});
export type UiNode = z.infer<typeof zUiNode>;

/** Schema 0.4 links: `[id, originId, originSlot, targetId, targetSlot, type]`. */
const zLinkTuple = z
  .tuple([z.number().int(), zComfyNodeId, zSlot, zComfyNodeId, zSlot], z.unknown())
  .transform(([id, from, fromSlot, to, toSlot, type]) => ({ id, from, fromSlot, to, toSlot, type: typeof type === 'string' ? type : undefined }));

/** Schema 1 links: objects. */
const zLinkObject = z
  .object({
    id: z.number().int(),
    origin_id: zComfyNodeId,
    origin_slot: zSlot,
    target_id: zComfyNodeId,
    target_slot: zSlot,
    type: zDataType.optional().catch(undefined),
  })
  .transform((l) => ({ id: l.id, from: l.origin_id, fromSlot: l.origin_slot, to: l.target_id, toSlot: l.target_slot, type: l.type }));

export const zUiLink = z.union([zLinkTuple, zLinkObject]);
export type UiLink = z.infer<typeof zUiLink>;

/** A group (frame): `bounding` is `[x, y, width, height]`, title bar included. */
export const zUiGroup = z.object({
  id: zComfyNodeId.optional().catch(undefined),
  title: z.string().max(MAX_NAME).catch(''),
  bounding: z
    .tuple([z.number(), z.number(), z.number(), z.number()], z.unknown())
    .refine((b) => b.every(Number.isFinite))
    .transform(([x, y, width, height]) => ({ x, y, width, height }))
    .optional()
    .catch(undefined),
  color: zColor,
});
export type UiGroup = z.infer<typeof zUiGroup>;

/** The UI format's top level; nodes and links are parsed one by one afterwards. */
export const zUiWorkflow = z.object({
  nodes: z.array(z.unknown()),
  links: z.array(z.unknown()).optional().catch(undefined),
  groups: z.array(zUiGroup.nullable().catch(null)).optional().catch(undefined),
  extra: z
    .object({
      info: z
        .object({ name: z.string().max(200) })
        .optional()
        .catch(undefined),
    })
    .nullish()
    .catch(undefined),
  /** Subgraph definitions (frontend ≥ 1.24): nodes whose type is a subgraph id point here. */
  definitions: z
    .object({ subgraphs: z.array(z.unknown()).optional().catch(undefined) })
    .nullish()
    .catch(undefined),
});

/** A link in the API format: `[sourceNodeId, outputSlot]`. */
export const zApiLink = z.tuple([zComfyNodeId, z.number().int().min(0)]);

/** One node of the API format (what "Export (API)" and the PNG `prompt` chunk hold). */
export const zApiNode = z.object({
  class_type: z.string().min(1).max(MAX_NAME),
  /** Checked entry by entry by the reader (a record schema would copy hostile keys). */
  inputs: z.unknown().optional(),
  _meta: z
    .object({ title: z.string().max(MAX_NAME).optional().catch(undefined) })
    .optional()
    .catch(undefined),
});
export type ApiNode = z.infer<typeof zApiNode>;
