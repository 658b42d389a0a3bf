import type { z } from 'zod';
import type { NodeDefinition, ParamMeta } from '../../../graph/node-definition';

interface Common {
  name: string;
  label: string;
  description?: string;
  placeholder?: string;
}

/** What to draw for one param, read from its zod schema and `.meta()` hints. */
export type WidgetSpec = Common &
  (
    | { widget: 'text'; maxLength?: number }
    | { widget: 'textarea'; maxChars?: number; maxLength?: number }
    | { widget: 'number'; min?: number; max?: number; step: number; integer: boolean }
    | { widget: 'seed'; min: number; max: number }
    | { widget: 'select'; options: readonly string[] }
    | { widget: 'toggle' }
    | { widget: 'image' }
    | { widget: 'frames' }
    | { widget: 'unsupported'; schemaType: string }
  );

type AnySchema = z.ZodType & { _zod: { def: { type: string; innerType?: AnySchema } } };

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional']);

/** The schema under defaults and optionality, plus the first `.meta()` found on the way. */
function unwrap(schema: AnySchema): { core: AnySchema; meta: ParamMeta } {
  let core = schema;
  let meta = (schema.meta() ?? {}) as ParamMeta;
  while (WRAPPERS.has(core._zod.def.type) && core._zod.def.innerType) {
    core = core._zod.def.innerType;
    if (Object.keys(meta).length === 0) meta = (core.meta() ?? {}) as ParamMeta;
  }
  return { core, meta };
}

/** `maxImages` → `Max images`. */
const humanize = (name: string): string => {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const finite = (n: unknown): number | undefined => (typeof n === 'number' && Number.isFinite(n) ? n : undefined);

/** The widget for one param schema. */
export function widgetFor(name: string, schema: z.ZodType): WidgetSpec {
  const { core, meta } = unwrap(schema as AnySchema);
  const common: Common = {
    name,
    label: meta.label ?? humanize(name),
    ...(meta.description ? { description: meta.description } : {}),
    ...(meta.placeholder ? { placeholder: meta.placeholder } : {}),
  };
  const type = core._zod.def.type;
  const c = core as unknown as { minValue?: unknown; maxValue?: unknown; isInt?: boolean; maxLength?: unknown; options?: unknown };
  const min = finite(c.minValue);
  const max = finite(c.maxValue);
  const maxLength = finite(c.maxLength);

  switch (meta.widget ?? defaultWidget(type)) {
    case 'textarea':
      return { ...common, widget: 'textarea', ...(meta.maxChars ? { maxChars: meta.maxChars } : {}), ...(maxLength ? { maxLength } : {}) };
    case 'text':
      return { ...common, widget: 'text', ...(maxLength ? { maxLength } : {}) };
    case 'number':
      return {
        ...common,
        widget: 'number',
        ...(min !== undefined ? { min } : {}),
        ...(max !== undefined ? { max } : {}),
        step: meta.step ?? (c.isInt ? 1 : 0.1),
        integer: c.isInt === true,
      };
    case 'seed':
      return { ...common, widget: 'seed', min: min ?? 0, max: max ?? 2 ** 31 - 1 };
    case 'select':
      return Array.isArray(c.options) ? { ...common, widget: 'select', options: c.options.map(String) } : unsupported(common, type);
    case 'toggle':
      return { ...common, widget: 'toggle' };
    case 'image':
      return { ...common, widget: 'image' };
    case 'frames':
      return { ...common, widget: 'frames' };
    default:
      return unsupported(common, type);
  }
}

function defaultWidget(type: string): ParamMeta['widget'] | undefined {
  switch (type) {
    case 'string':
      return 'text';
    case 'number':
      return 'number';
    case 'boolean':
      return 'toggle';
    case 'enum':
      return 'select';
    default:
      return undefined;
  }
}

function unsupported(common: Common, schemaType: string): WidgetSpec {
  return { ...common, widget: 'unsupported', schemaType };
}

const cache = new WeakMap<NodeDefinition, readonly WidgetSpec[]>();

/** Widgets for every param of a node kind, in schema order (computed once per kind). */
export function widgetsFor(def: NodeDefinition): readonly WidgetSpec[] {
  let specs = cache.get(def);
  if (!specs) {
    const shape = def.params.shape as Record<string, z.ZodType>;
    specs = Object.entries(shape).map(([name, schema]) => widgetFor(name, schema));
    cache.set(def, specs);
  }
  return specs;
}

const defaultsCache = new WeakMap<NodeDefinition, Readonly<Record<string, unknown>>>();

/** A kind's default params (shown for params a saved node leaves out). */
export function defaultParams(def: NodeDefinition): Readonly<Record<string, unknown>> {
  let defaults = defaultsCache.get(def);
  if (!defaults) {
    const parsed = def.params.safeParse({});
    defaults = parsed.success ? (parsed.data as Record<string, unknown>) : {};
    defaultsCache.set(def, defaults);
  }
  return defaults;
}
