import { isComfyWorkflow } from './comfyui/detect';
import { loadWorkflow, MAX_WORKFLOW_BYTES, type LoadResult } from './load-workflow';
import type { NodeRegistry } from './registry';
import { workflowFromPng } from './workflow-png';

/** Parsed JSON, or the input when it is not a string (or not JSON: loadWorkflow says why). */
function parsed(input: unknown): unknown {
  if (typeof input !== 'string' || input.length > MAX_WORKFLOW_BYTES) return input;
  try {
    return JSON.parse(input) as unknown;
  } catch {
    return input;
  }
}

const importer = () => import('./comfyui/import-comfy-workflow').then((m) => m.importComfyWorkflow);

/**
 * `loadWorkflow` for files a person opens or drops (and the CLI's `run`): a ComfyUI workflow is
 * imported, with the importer loaded only then, so the editor's first screen does not carry it.
 */
export async function loadAnyWorkflow(input: unknown, registry: NodeRegistry): Promise<LoadResult> {
  const raw = parsed(input);
  if (!isComfyWorkflow(raw)) return loadWorkflow(raw, registry);
  return loadWorkflow(raw, registry, { importComfy: await importer() });
}

/** `workflowFromPng` that imports a ComfyUI PNG's graph (loading the importer only then). */
export async function anyWorkflowFromPng(bytes: Uint8Array, registry: NodeRegistry): Promise<LoadResult> {
  const first = workflowFromPng(bytes, registry);
  if (first.ok || first.issues[0]?.code !== 'comfyui-needs-importer') return first;
  return workflowFromPng(bytes, registry, { importComfy: await importer() });
}
