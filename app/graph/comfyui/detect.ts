/**
 * Telling a ComfyUI workflow from one of ours, without loading the importer: the editor's first
 * screen carries only this; the importer (schemas, node mappings) loads when such a file arrives.
 */

/** Most nodes / links a ComfyUI file may have to be imported. */
export const MAX_COMFY_NODES = 5_000;
export const MAX_COMFY_LINKS = 20_000;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Which ComfyUI format `raw` is in, or undefined when it is neither (our own files included). */
export function comfyFormatOf(raw: unknown): 'ui' | 'api' | undefined {
  if (!isObj(raw) || 'schemaVersion' in raw || 'edges' in raw) return undefined;
  if (Array.isArray(raw.nodes)) {
    const linked = Array.isArray(raw.links) || 'last_node_id' in raw || (raw.version === 1 && isObj(raw.state));
    return linked ? 'ui' : undefined;
  }
  const values = Object.values(raw);
  if (values.length === 0 || values.length > MAX_COMFY_NODES * 2) return undefined;
  return values.every((v) => isObj(v) && typeof v.class_type === 'string') ? 'api' : undefined;
}

/** A /prompt request body (`{prompt, extra_data}`) holds the API graph and often the UI one: the UI one wins. */
export function unwrapPromptRequest(json: unknown): unknown {
  if (!isObj(json) || comfyFormatOf(json) || !isObj(json.prompt) || comfyFormatOf(json.prompt) !== 'api') return json;
  const extra = isObj(json.extra_data) && isObj(json.extra_data.extra_pnginfo) ? json.extra_data.extra_pnginfo.workflow : undefined;
  return comfyFormatOf(extra) === 'ui' ? extra : json.prompt;
}

/** Whether `raw` is a ComfyUI workflow (UI or API format, or a /prompt body) rather than a Sequence Studio one. */
export const isComfyWorkflow = (raw: unknown): boolean => comfyFormatOf(unwrapPromptRequest(raw)) !== undefined;

/** The name an imported ComfyUI workflow gets when it has none of its own (the editor names its tab after the file instead). */
export const COMFY_DEFAULT_NAME = 'ComfyUI workflow';
