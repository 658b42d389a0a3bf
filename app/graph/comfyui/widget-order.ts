/**
 * What the UI format's positional `widgets_values` mean, per ComfyUI node type we map. The order
 * is the order of the node's widget inputs in its Python definition (sockets such as IMAGE take
 * no place), plus the values the frontend adds itself: a `control_after_generate` choice right
 * after a widget that declares it, and an "upload" value after an image picker. Never guessed:
 * each entry names its source. Types not listed here keep their raw values (on a placeholder).
 */

/** Marks the frontend's control_after_generate value, stored as `<previous widget>.control`. */
const CONTROL = Symbol('control_after_generate');
type Slot = string | typeof CONTROL;

/** The words the frontend writes for control_after_generate (ComfyUI_frontend widgets). */
export const CONTROL_VALUES: ReadonlySet<unknown> = new Set(['fixed', 'increment', 'decrement', 'randomize']);

const ORDERS: ReadonlyMap<string, readonly Slot[]> = new Map<string, readonly Slot[]>([
  // comfyanonymous/ComfyUI comfy_api_nodes/nodes_bytedance.py, ByteDanceSeedreamNode.define_schema:
  // model, prompt, image (socket), size_preset, width, height, sequential_image_generation,
  // max_images, seed (control_after_generate=True), watermark, fail_on_partial. The same order
  // is saved in Comfy-Org/workflow_templates templates/api_bytedance_seedream4.json:
  // ["seedream-4-0-250828", "<prompt>", "2048x2048 (1:1)", 2048, 2048, "disabled", 1, 273660288, "randomize", false, true].
  [
    'ByteDanceSeedreamNode',
    ['model', 'prompt', 'size_preset', 'width', 'height', 'sequential_image_generation', 'max_images', 'seed', CONTROL, 'watermark', 'fail_on_partial'],
  ],
  // ComfyUI nodes.py LoadImage: {"image": (files, {"image_upload": True})}; the frontend's upload
  // widget follows it, saved as "image" (the same template: ["comfyui_logo.png", "image"]).
  ['LoadImage', ['image', 'upload']],
  // nodes.py SaveImage: images (socket), filename_prefix (default "ComfyUI"); template: ["ComfyUI"].
  ['SaveImage', ['filename_prefix']],
  // nodes.py PreviewImage(SaveImage): images only. ImageBatch: image1, image2 (sockets).
  ['PreviewImage', []],
  ['ImageBatch', []],
  // comfy_extras/nodes_primitive.py: PrimitiveString / PrimitiveStringMultiline take "value";
  // PrimitiveInt's "value" has control_after_generate=True; Float and Boolean take "value".
  ['PrimitiveString', ['value']],
  ['PrimitiveStringMultiline', ['value']],
  ['PrimitiveInt', ['value', CONTROL]],
  ['PrimitiveFloat', ['value']],
  ['PrimitiveBoolean', ['value']],
  // The frontend-only PrimitiveNode saves [value] or, for numbers, [value, "fixed"|…].
  ['PrimitiveNode', ['value', CONTROL]],
  // Frontend-only notes hold their text; reroutes hold nothing.
  ['Note', ['text']],
  ['MarkdownNote', ['text']],
  ['Reroute', []],
]);

/** The output types of the ComfyUI nodes we map, by slot (API-format links name only a slot). */
const OUTPUTS: ReadonlyMap<string, readonly string[]> = new Map([
  ['ByteDanceSeedreamNode', ['IMAGE']],
  ['LoadImage', ['IMAGE', 'MASK']],
  ['ImageBatch', ['IMAGE']],
  ['PrimitiveString', ['STRING']],
  ['PrimitiveStringMultiline', ['STRING']],
  ['PrimitiveInt', ['INT']],
  ['PrimitiveFloat', ['FLOAT']],
  ['PrimitiveBoolean', ['BOOLEAN']],
]);

export const knownOutputTypes = (type: string): readonly string[] | undefined => OUTPUTS.get(type);

/** Keys that must never become property names of an object built from a file. */
export const isSafeKey = (key: string): boolean => key !== '__proto__' && key !== 'constructor' && key !== 'prototype';

/**
 * Widget values by name for a node of a type listed above, or undefined for other types.
 * A control_after_generate value is consumed only when it is one of the control words, so files
 * from frontends that did not save one still line up.
 */
export function namedWidgets(type: string, values: unknown): Map<string, unknown> | undefined {
  const order = ORDERS.get(type);
  if (!order) return undefined;
  const named = new Map<string, unknown>();
  if (values !== null && typeof values === 'object' && !Array.isArray(values)) {
    for (const [key, value] of Object.entries(values)) if (isSafeKey(key)) named.set(key, value);
    return named;
  }
  const list = Array.isArray(values) ? values : [];
  let at = 0;
  let previous = '';
  for (const slot of order) {
    if (at >= list.length) break;
    if (slot === CONTROL) {
      if (CONTROL_VALUES.has(list[at])) named.set(`${previous}.control`, list[at++]);
      continue;
    }
    named.set(slot, list[at++]);
    previous = slot;
  }
  return named;
}
