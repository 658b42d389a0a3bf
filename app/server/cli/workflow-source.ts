import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { importComfyWorkflow } from '../../graph/comfyui/import-comfy-workflow';
import { loadWorkflow, type LoadOptions } from '../../graph/load-workflow';
import type { AssetStore } from '../../graph/node-definition';
import type { ImageRef } from '../../graph/ports';
import { zImageRef } from '../../graph/ports';
import type { NodeRegistry } from '../../graph/registry';
import { CURRENT_SCHEMA_VERSION, type Workflow } from '../../graph/workflow-schema';
import { workflowFromPng } from '../../graph/workflow-png';
import { hasPngSignature } from '../../lib/png-text';
import { MAX_IMAGE_BYTES } from '../../model/seedream';
import { builtinTemplates, findBuiltinTemplate } from '../../templates';
import { UsageError } from './args';

/** A workflow ready to run, plus what loading it had to say. */
export interface LoadedSource {
  workflow: Workflow;
  /** Where it came from: a file path or `template:<id>`. */
  origin: string;
  warnings: string[];
}

/**
 * ComfyUI files import as in the editor, except that the report does not ask for the files its
 * Load Image nodes used: once `--set` is applied, the CLI names those still missing, each once,
 * with the flag that gives it (cli-issues.ts).
 */
const cliLoad: LoadOptions = { importComfy: (json, registry) => importComfyWorkflow(json, registry, { askForInputFiles: false }) };

/** Reads a workflow file (JSON, or a PNG carrying one), or a built-in template by id, through parse-and-migrate. */
export async function loadSource(source: string, registry: NodeRegistry, cwd: string): Promise<LoadedSource> {
  const path = resolve(cwd, source);
  const isFile = await stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
  let raw: unknown;
  let origin: string;
  let png: Uint8Array | undefined;
  if (isFile) {
    const bytes = new Uint8Array(await readFile(path));
    // A PNG that Save (or ComfyUI) wrote carries its workflow: run that, as the editor opens it.
    if (hasPngSignature(bytes)) png = bytes;
    else raw = new TextDecoder().decode(bytes);
    origin = path;
  } else {
    const template = findBuiltinTemplate(source);
    if (!template) {
      throw new UsageError(`"${source}" is neither a workflow file nor a template id. Templates: ${builtinTemplates.map((t) => t.id).join(', ')}.`);
    }
    raw = template.workflow;
    origin = `template:${template.id}`;
  }
  const loaded = png ? workflowFromPng(png, registry, cliLoad) : loadWorkflow(raw, registry, cliLoad);
  if (!loaded.ok) throw new UsageError(`Cannot open ${origin}:\n  ${loaded.issues.map((i) => i.message).join('\n  ')}`);
  return { workflow: loaded.workflow, origin, warnings: [...loaded.notes, ...loaded.issues.map((i) => i.message)] };
}

/**
 * Turns a command-line image (a file path or an https URL) into an image reference; local
 * files are stored as assets (checked by content, not by name).
 */
export async function imageFromArg(arg: string, assets: AssetStore, cwd: string): Promise<ImageRef> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg)) {
    const ref = zImageRef.safeParse({ kind: 'url', url: arg });
    if (!ref.success) throw new UsageError(`Image URL "${arg}" must be https://.`);
    return ref.data;
  }
  const path = resolve(cwd, arg);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`Image file not found: ${path}`);
  if (info.size >= MAX_IMAGE_BYTES) {
    throw new UsageError(`Image ${path} is ${(info.size / 1048576).toFixed(1)} MB; Seedream accepts files under 10 MB.`);
  }
  try {
    return await assets.put(new Uint8Array(await readFile(path)), { name: path.split(/[\\/]/).pop() ?? arg });
  } catch (e) {
    throw new UsageError(`${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export interface EditRequest {
  images: readonly ImageRef[];
  prompt: string;
  maxImages?: number;
  resolution?: string;
  seed?: number;
}

/** The one-shot `edit` command as a workflow: Load Image nodes → Seedream → Save. */
export function buildEditWorkflow(req: EditRequest): Workflow {
  const loads = req.images.map((image, i) => ({
    id: `image-${i + 1}`,
    kind: 'image.load',
    kindVersion: 1,
    params: { image },
    position: { x: 0, y: i * 240 },
  }));
  const params: Record<string, unknown> = { prompt: req.prompt };
  if (req.maxImages !== undefined) params.maxImages = req.maxImages;
  if (req.resolution !== undefined) params.resolution = req.resolution;
  if (req.seed !== undefined) params.seed = req.seed;
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    meta: { name: 'edit (command line)' },
    nodes: [
      ...loads,
      { id: 'seedream', kind: 'seedream.edit-sequential', kindVersion: 1, params, position: { x: 400, y: 0 } },
      { id: 'save', kind: 'image.save', kindVersion: 1, params: { prefix: 'edit' }, position: { x: 800, y: 0 } },
    ],
    edges: [
      ...loads.map((l, i) => ({ id: `e-${l.id}`, source: { node: l.id, port: 'image' }, target: { node: 'seedream', port: 'images' }, order: i })),
      { id: 'e-save', source: { node: 'seedream', port: 'images' }, target: { node: 'save', port: 'images' }, order: 0 },
    ],
  };
}
