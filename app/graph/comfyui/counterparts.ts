import { zImageRef } from '../ports';
import { MAX_PARAM_STRING } from '../workflow-schema';
import type { ComfyNode } from './comfy-graph';
import { comfyName, shown } from './report';
import { seedreamParams } from './seedream-params';
import { isSafeKey } from './widget-order';

/**
 * What each ComfyUI node type we import becomes here: the kind, how its inputs and output slots
 * map to our ports, and its params. Input and output names are ComfyUI's (nodes.py,
 * comfy_extras/nodes_primitive.py, comfy_api_nodes/nodes_bytedance.py); ports are ours.
 */
export interface Counterpart {
  kind: string;
  /** Start of the node id here (`load-10` for ComfyUI's node 10). */
  prefix: string;
  /** ComfyUI input name → our input port and the link's place among that port's links. */
  inputs: ReadonlyMap<string, { port: string; order: number }>;
  /** ComfyUI output slot → our output port; undefined where ours has none (LoadImage's MASK). */
  outputs: readonly (string | undefined)[];
  /** Titles ComfyUI gives this type by default (the API format always saves one): not copied. */
  defaultTitles: readonly string[];
  params(node: ComfyNode, name: string, found: Found): Record<string, unknown>;
}

/** What building params found that the importer must know: report lines and asked-for files. */
export interface Found {
  report: string[];
  /** Set when a Load Image refers to a file in ComfyUI's input folder. */
  inputFile?: string;
}

const IMAGES = new Map([['images', { port: 'images', order: 0 }]]);
const text = (v: unknown): string => (typeof v === 'string' ? v.slice(0, MAX_PARAM_STRING) : '');

const textPrimitive = (defaultTitle: string): Counterpart => ({
  kind: 'text.prompt',
  prefix: 'prompt',
  inputs: new Map(),
  outputs: ['text'],
  defaultTitles: [defaultTitle, 'Primitive'],
  params: (node, name, found) => {
    const value = node.widgets?.get('value');
    if (typeof value === 'string' && value.length > MAX_PARAM_STRING) found.report.push(`The text of ${name} was cut to ${MAX_PARAM_STRING} characters.`);
    return { text: text(value) };
  },
});

/** A file-name prefix our Save node accepts, from ComfyUI's (which may hold folders and %date:…% tokens). */
export function savePrefix(raw: unknown): string {
  const cleaned = (typeof raw === 'string' ? raw : 'ComfyUI')
    .replace(/%[^%]*%/g, '')
    .replace(/[/\\]+/g, '-')
    .replace(/[^A-Za-z0-9 _.-]+/g, '')
    .replace(/\.{2,}/g, '.')
    .slice(0, 64)
    .replace(/^[\s.-]+|[\s.]+$/g, '');
  return cleaned || 'ComfyUI';
}

const COUNTERPARTS: ReadonlyMap<string, Counterpart> = new Map<string, Counterpart>([
  [
    'LoadImage',
    {
      kind: 'image.load',
      prefix: 'load',
      inputs: new Map(),
      outputs: ['image', undefined],
      defaultTitles: ['Load Image'],
      params(node, name, found) {
        const raw = node.widgets?.get('image');
        // The frontend may annotate the name with its folder: "photo.png [input]".
        const file = typeof raw === 'string' ? raw.replace(/\s*\[(input|output|temp)\]$/, '').trim() : '';
        const url = zImageRef.safeParse({ kind: 'url', url: file });
        if (url.success) return { image: url.data };
        if (file) found.inputFile = file.slice(0, 500);
        else found.report.push(`${name} names no image file; choose one on the node.`);
        return { image: null };
      },
    },
  ],
  [
    'ByteDanceSeedreamNode',
    {
      kind: 'seedream.edit-sequential',
      prefix: 'seedream',
      inputs: new Map([
        ['image', { port: 'images', order: 0 }],
        ['prompt', { port: 'prompt', order: 0 }],
      ]),
      outputs: ['images'],
      defaultTitles: ['ByteDance Seedream 4', 'ByteDance Seedream 4.5 & 5.0'],
      params(node, name, found) {
        const mapped = seedreamParams(node.widgets ?? new Map(), name);
        found.report.push(...mapped.report);
        return mapped.params;
      },
    },
  ],
  [
    'SaveImage',
    {
      kind: 'image.save',
      prefix: 'save',
      inputs: IMAGES,
      outputs: [],
      defaultTitles: ['Save Image'],
      params(node, name, found) {
        const raw = node.widgets?.get('filename_prefix');
        const prefix = savePrefix(raw);
        if (raw !== undefined && raw !== prefix)
          found.report.push(`${name}: the file prefix ${shown(raw)} became ${shown(prefix)} (no folders or % tokens here).`);
        return { prefix };
      },
    },
  ],
  ['PreviewImage', { kind: 'image.preview', prefix: 'preview', inputs: IMAGES, outputs: [], defaultTitles: ['Preview Image'], params: () => ({}) }],
  [
    'ImageBatch',
    {
      kind: 'image.merge',
      prefix: 'merge',
      inputs: new Map([
        ['image1', { port: 'images', order: 0 }],
        ['image2', { port: 'images', order: 1 }],
      ]),
      outputs: ['images'],
      defaultTitles: ['Batch Images'],
      params: () => ({}),
    },
  ],
  ['PrimitiveString', textPrimitive('String')],
  ['PrimitiveStringMultiline', textPrimitive('String (Multiline)')],
]);

/** The frontend's PrimitiveNode becomes a Prompt when it holds text. */
const PRIMITIVE_TEXT = textPrimitive('Primitive');

/** Types whose one "value" can be written into the widget it feeds instead of becoming a node. */
const VALUE_TYPES: ReadonlySet<string> = new Set([
  'PrimitiveString',
  'PrimitiveStringMultiline',
  'PrimitiveInt',
  'PrimitiveFloat',
  'PrimitiveBoolean',
  'PrimitiveNode',
]);
export const holdsOneValue = (node: ComfyNode): boolean => VALUE_TYPES.has(node.type);

/** The counterpart of a ComfyUI node, or undefined when it has none (it becomes a placeholder). */
export function counterpartOf(node: ComfyNode): Counterpart | undefined {
  if (node.type === 'PrimitiveNode') return typeof node.widgets?.get('value') === 'string' ? PRIMITIVE_TEXT : undefined;
  return COUNTERPARTS.get(node.type);
}

/** Why a node without a counterpart is kept as a placeholder, as a report line. */
export function placeholderLine(node: ComfyNode): string {
  const name = comfyName(node);
  if (node.mode === 'bypassed') return `${name} was bypassed in ComfyUI; it is kept as a placeholder and what it passed on is linked past it.`;
  if (node.mode === 'muted') return `${name} was muted in ComfyUI; it is kept as a placeholder and does not run here either.`;
  if (node.type === 'Note' || node.type === 'MarkdownNote') return `The note ${name} is kept as a placeholder with its text.`;
  if (/^ByteDanceSeedreamNodeV\d+$/.test(node.type))
    return `${name} is ComfyUI's newer Seedream node; only ByteDanceSeedreamNode is imported, so it is kept as a placeholder.`;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(node.type)) return `${name} is a subgraph; it is kept as a placeholder (subgraphs are not imported).`;
  return `${name} has no counterpart here; it is kept as a placeholder and cannot run.`;
}

/**
 * A placeholder's params: the ComfyUI type, id and widget values, cut down to what a workflow
 * may hold (short strings, no data: URIs, shallow), so nothing readable of the user's is lost.
 */
export function placeholderParams(node: ComfyNode): Record<string, unknown> {
  const widgets = keepable(node.rawWidgets, 0);
  return { comfyui: { type: node.type, id: node.id, ...(widgets !== undefined ? { widgets } : {}) } };
}

function keepable(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string') return value.length <= 4_096 && !/^data:/i.test(value) ? value : undefined;
  if (depth >= 4 || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) return value.slice(0, 200).map((v) => keepable(v, depth + 1) ?? null);
  const kept: [string, unknown][] = [];
  for (const [k, v] of Object.entries(value).slice(0, 100)) {
    const x = keepable(v, depth + 1);
    if (isSafeKey(k) && x !== undefined) kept.push([k, x]);
  }
  return Object.fromEntries(kept);
}
