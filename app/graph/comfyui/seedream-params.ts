import { MAX_OUTPUT_IMAGES, MAX_PROMPT_CHARS, MAX_SEED, MIN_OUTPUT_IMAGES, MIN_SEED, RESOLUTIONS, resolutionSize, type Resolution } from '../../model/seedream';
import { MAX_PARAM_STRING } from '../workflow-schema';
import { shown } from './report';

/**
 * ComfyUI's ByteDanceSeedreamNode widgets as `seedream.edit-sequential` params. Defaults are
 * ComfyUI's own (comfy_api_nodes/nodes_bytedance.py, `execute`): size_preset its first preset
 * ("2048x2048 (1:1)"), sequential_image_generation "disabled", max_images 1, seed 0. Not mapped,
 * on purpose: `fail_on_partial` (here partial results are kept and the missing images fetched
 * later for free) and `width`/`height` unless the preset is "Custom".
 */

/** ComfyUI's name of the one model this app runs. */
const MODEL_HERE = 'seedream-4-5-251128';
/** The pixel count between the 2K and 4K classes (geometric mean of 2048² and 4096²). */
const TWO_K_MAX_PIXELS = 2048 * 4096;

export interface SeedreamImport {
  params: { prompt: string; maxImages: number; resolution: Resolution; seed: number };
  report: string[];
}

const asInt = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : undefined);
const fixedLabels = RESOLUTIONS.filter((l) => l !== '2K' && l !== '4K');

/** The resolution label for a ComfyUI size; `exact` when a label has those very pixels. */
export function resolutionFor(width: number, height: number): { label: Resolution; exact: boolean; sameShape?: Resolution } {
  const exact = fixedLabels.find((l) => {
    const s = resolutionSize(l);
    return s.width === width && s.height === height;
  });
  if (exact) return { label: exact, exact: true };
  const label: Resolution = width * height <= TWO_K_MAX_PIXELS ? '2K' : '4K';
  const sameShape = fixedLabels.find((l) => {
    const s = resolutionSize(l);
    return Math.abs(s.width / s.height - width / height) < 0.01 * (width / height);
  });
  return { label, exact: false, ...(sameShape ? { sameShape } : {}) };
}

/** The size a ComfyUI preset label or Custom width/height stands for; undefined when absent or unreadable. */
function comfySize(w: ReadonlyMap<string, unknown>): { width: number; height: number; from: string } | undefined {
  const preset = w.get('size_preset');
  // Labels are "2048x2048 (1:1)" (Seedream 4 presets) or "(2K) 2848x1600 (16:9)" (4.5 presets): WxH is inside both.
  const m = typeof preset === 'string' ? /(\d{2,5})\s*[x×]\s*(\d{2,5})/.exec(preset) : null;
  if (m) return { width: Number(m[1]), height: Number(m[2]), from: `size ${shown(preset)}` };
  const width = asInt(w.get('width'));
  const height = asInt(w.get('height'));
  if (preset === 'Custom' && width && height && width > 0 && height > 0) return { width, height, from: `custom size ${width}x${height}` };
  return undefined;
}

/** Maps one Seedream node's widgets (by name) to our params, saying what changed on the way. */
export function seedreamParams(w: ReadonlyMap<string, unknown>, name: string): SeedreamImport {
  const report: string[] = [];
  const model = w.get('model');
  if (typeof model === 'string' && model !== MODEL_HERE) {
    report.push(`${name} used the model ${shown(model)} in ComfyUI; here it runs Seedream 4.5 Edit Sequential.`);
  }

  const rawPrompt = w.get('prompt');
  let prompt = typeof rawPrompt === 'string' ? rawPrompt : '';
  if (prompt.length > MAX_PARAM_STRING) {
    report.push(`The prompt of ${name} was cut to ${MAX_PARAM_STRING} of its ${prompt.length} characters.`);
    prompt = prompt.slice(0, MAX_PARAM_STRING);
  }
  if (prompt.length > MAX_PROMPT_CHARS) {
    report.push(`The prompt of ${name} has ${prompt.length} characters; Seedream 4.5 here takes at most ${MAX_PROMPT_CHARS}: shorten it before running.`);
  }

  const size = comfySize(w);
  let resolution: Resolution = '2048x2048 (1:1)';
  if (size) {
    const found = resolutionFor(size.width, size.height);
    resolution = found.label;
    if (!found.exact) {
      const shape = found.sameShape ? ` (${shown(found.sameShape)} has the same shape)` : '';
      report.push(
        `${name}: ComfyUI's ${size.from} has no exact resolution here; it became ${shown(found.label)}, where the model picks the shape from the prompt${shape}.`,
      );
    }
  } else if (w.has('size_preset')) {
    report.push(`${name}: ComfyUI's size ${shown(w.get('size_preset'))} could not be read; it became ${shown(resolution)}.`);
  }

  const mode = w.get('sequential_image_generation') ?? 'disabled';
  const asked = asInt(w.get('max_images'));
  let maxImages = MIN_OUTPUT_IMAGES;
  if (mode === 'disabled') {
    if (asked !== undefined && asked > 1) {
      report.push(`${name} makes one image in ComfyUI (sequential_image_generation “disabled”), so Max images is 1 here, not its max_images ${asked}.`);
    }
  } else {
    maxImages = Math.min(MAX_OUTPUT_IMAGES, Math.max(MIN_OUTPUT_IMAGES, asked ?? MIN_OUTPUT_IMAGES));
    if (mode !== 'auto') report.push(`${name}: sequential_image_generation ${shown(mode)} is not a ComfyUI choice; it was read as “auto”.`);
    if (asked !== undefined && asked !== maxImages)
      report.push(`${name}: max_images ${asked} is outside ${MIN_OUTPUT_IMAGES}–${MAX_OUTPUT_IMAGES}; Max images is ${maxImages}.`);
  }

  const rawSeed = w.get('seed');
  const seedInt = asInt(rawSeed);
  const seed = Math.min(MAX_SEED, Math.max(MIN_SEED, seedInt ?? 0));
  if (rawSeed !== undefined && seed !== rawSeed) {
    report.push(`${name}: seed ${shown(rawSeed)} is outside the whole numbers ${MIN_SEED}–${MAX_SEED}; it is ${seed} here.`);
  }
  const control = w.get('seed.control');
  if (control === 'randomize' || control === 'increment' || control === 'decrement') {
    report.push(`${name}: ComfyUI changed the seed after every run (${shown(control)}); here it stays ${seed} until you change it.`);
  }
  if (w.get('watermark') === true) report.push(`${name} asked for a watermark; this model has no watermark option here, so none is requested.`);

  return { params: { prompt, maxImages, resolution, seed }, report };
}
