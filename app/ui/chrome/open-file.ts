import { COMFY_DEFAULT_NAME } from '../../graph/comfyui/detect';
import { findCycles } from '../../graph/cycles';
import type { Issue } from '../../graph/issues';
import { anyWorkflowFromPng, loadAnyWorkflow } from '../../graph/load-any-workflow';
import { MAX_WORKFLOW_BYTES, type LoadResult } from '../../graph/load-workflow';
import type { NodeRegistry } from '../../graph/registry';
import { workflowTextFromPng } from '../../graph/workflow-png';
import type { Workflow } from '../../graph/workflow-schema';
import { hasPngSignature, MAX_PNG_BYTES } from '../../lib/png-text';
import type { StudioStore } from '../../store/create-store';
import type { XY } from '../../store/graph-ops';
import type { UiServices } from '../studio-context';
import { addImageNodes, imageFiles } from '../canvas/add-image-nodes';

const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
const fail = (code: string, message: string): LoadResult => ({ ok: false, issues: [{ severity: 'error', code, message }] });

async function isPng(file: Blob): Promise<boolean> {
  const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  return hasPngSignature(head);
}

/** Whether a dropped file should be opened as a workflow rather than used as an image. */
export const looksLikeJson = (file: File): boolean => /\.json$/i.test(file.name) || file.type === 'application/json';

/**
 * A warning when the links loop: the file opens (nothing is lost) but cannot run until a link
 * in the loop is removed.
 */
export function cycleIssues(workflow: Workflow): Issue[] {
  return findCycles(workflow).map((cycle) => ({
    severity: 'warning' as const,
    code: 'cycle',
    message: `The links form a loop (${cycle.join(' → ')}): it opened, but cannot run until one of those links is removed.`,
  }));
}

/**
 * Parse-and-migrate for a file: a PNG saved with its workflow, or workflow JSON. Size is checked
 * before reading; the content is only ever parsed as data (JSON.parse and zod), never run.
 * Never throws.
 */
export async function readWorkflowFile(file: Blob, registry: NodeRegistry): Promise<LoadResult> {
  try {
    if (await isPng(file)) {
      if (file.size > MAX_PNG_BYTES) return fail('file-too-large', `This PNG is ${mib(file.size)}; images over ${mib(MAX_PNG_BYTES)} are not read.`);
      return withCycles(await anyWorkflowFromPng(new Uint8Array(await file.arrayBuffer()), registry));
    }
    if (file.size > MAX_WORKFLOW_BYTES) {
      return fail(
        'file-too-large',
        `This file is ${mib(file.size)}; workflow files are at most ${mib(MAX_WORKFLOW_BYTES)} (images are referenced, not embedded).`,
      );
    }
    const text = await file.text();
    if (!text.trim()) return fail('empty-file', 'This file is empty.');
    return withCycles(await loadAnyWorkflow(text, registry));
  } catch (err) {
    return fail('unreadable', `The file could not be read: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Adds a `cycle` issue per loop found, so a looping graph opens but says why it cannot run. */
export function withCycles(result: LoadResult): LoadResult {
  return result.ok ? { ...result, issues: [...result.issues, ...cycleIssues(result.workflow)] } : result;
}

/** A file's name without its last extension ("story.json" → "story"), or undefined when nothing is left. */
export const fileBaseName = (fileName: string): string | undefined =>
  fileName
    .replace(/\.[^./\\]*$/, '')
    .trim()
    .slice(0, 200) || undefined;

/**
 * The workflow named after its file when it has no name of its own, or only the importer's
 * default: ComfyUI names a workflow by its file, so "seedream-story.json" opens as "seedream-story".
 */
export function namedAfterFile(workflow: Workflow, fileName: string | undefined): Workflow {
  const name = workflow.meta.name?.trim();
  const base = fileName ? fileBaseName(fileName) : undefined;
  if (!base || (name && name !== COMFY_DEFAULT_NAME)) return workflow;
  return { ...workflow, meta: { ...workflow.meta, name: base } };
}

/**
 * Tells the user a workflow opened: a short notice when nothing needs saying, else a report (one
 * line per note or repair) that stays until dismissed, so an import's findings are not lost.
 */
export function reportOpened(store: StudioStore, label: string, lines: readonly string[], tone: 'info' | 'error' = 'info'): void {
  store.getState().notify(`Opened ${label}.`, tone, lines);
}

/**
 * Opens a loaded workflow and says what was repaired, or why it failed: in a tab of its own when
 * the editor has tabs (the shown tab keeps its graph, undo history and run), else as a new
 * document in place of the current one (one undo step; refused while a run is going).
 */
export function showLoaded(store: StudioStore, loaded: LoadResult, label: string, options: OpenOptions = {}): boolean {
  return openLoaded(store, loaded, label, options) !== undefined;
}

/** How a loaded workflow is opened. */
export interface OpenOptions {
  /** The file it came from: a workflow without a name of its own is named after it. */
  fileName?: string;
}

/** {@link showLoaded}, returning the store that shows the workflow (the new tab's), or undefined when it did not open. */
export function openLoaded(store: StudioStore, loaded: LoadResult, label: string, options: OpenOptions = {}): StudioStore | undefined {
  if (!loaded.ok) {
    store.getState().notify(`${label} could not be opened: ${loaded.issues.map((i) => i.message).join(' · ')}`, 'error');
    return undefined;
  }
  const workflow = namedAfterFile(loaded.workflow, options.fileName);
  let target = store;
  if (store.tabs) target = store.tabs.openInTab(workflow);
  else if (!store.getState().openDocument(workflow)) return undefined;
  const s = target.getState();
  s.setSelection([]);
  s.requestFitView();
  reportOpened(target, label, [...loaded.notes, ...loaded.issues.map((i) => i.message)], loaded.issues.some((i) => i.code === 'cycle') ? 'error' : 'info');
  return target;
}

/** Opens a workflow file (JSON, or a PNG carrying one): in a tab of its own, or in place of the current workflow without tabs. */
export async function openWorkflowFile(store: StudioStore, registry: NodeRegistry, file: File): Promise<boolean> {
  return showLoaded(store, await readWorkflowFile(file, registry), `“${file.name || 'the file'}”`, { fileName: file.name });
}

/**
 * What dropping files on the canvas does: a workflow file (.json) or a PNG that carries a
 * workflow opens it, as ComfyUI users expect; other images become Load Image nodes.
 */
export async function dropFiles(store: StudioStore, services: UiServices, files: readonly File[], at: XY): Promise<void> {
  const json = files.find(looksLikeJson);
  if (json) {
    await openWorkflowFile(store, services.registry, json);
    return;
  }
  const images: File[] = [];
  for (const file of imageFiles(files)) {
    if ((await isPng(file)) && file.size <= MAX_PNG_BYTES && carriesWorkflow(new Uint8Array(await file.arrayBuffer()))) {
      await openWorkflowFile(store, services.registry, file);
      return;
    }
    images.push(file);
  }
  if (images.length) await addImageNodes(store, services, images, at);
  else if (files.length) store.getState().notify('Drop PNG or JPEG images, a workflow .json file, or a PNG saved by Sequence Studio.', 'error');
}

const carriesWorkflow = (bytes: Uint8Array): boolean => {
  const found = workflowTextFromPng(bytes);
  return found.ok || found.issues.some((i) => i.code !== 'no-workflow' && i.code !== 'not-png');
};
