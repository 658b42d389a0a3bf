import type { NodeRegistry } from '../registry';
import type { Workflow } from '../workflow-schema';
import { buildWorkflow } from './build-workflow';
import { readComfyGraph } from './comfy-graph';
import { comfyFormatOf, unwrapPromptRequest } from './detect';
import { count } from './report';

export { comfyFormatOf } from './detect';
export { comfyInputFiles, type ComfyInputFile } from './input-files';

/** Why a file was not imported. `comfyui-workflow`: it is one, but nothing in it maps. */
export type ComfyImportCode = 'not-comfyui' | 'comfyui-bad-shape' | 'comfyui-too-large' | 'comfyui-workflow' | 'comfyui-import-failed';

export type ComfyImport =
  | {
      ok: true;
      /** At the current schema version; still to be validated like any loaded file (loadWorkflow does). */
      workflow: Workflow;
      /** What mapped, what did not and what changed, one sentence each, summary first. */
      report: string[];
      /** Ids of nodes kept as placeholders (their kinds are unknown here and cannot run). */
      placeholders: string[];
      format: 'ui' | 'api';
    }
  | { ok: false; code: ComfyImportCode; reason: string };

/** Report lines past this are summed up in one line: a toast or a terminal is not a log file. */
export const MAX_REPORT_LINES = 40;

export { isComfyWorkflow } from './detect';

/** How the report is written for where it is read. */
export interface ComfyImportOptions {
  /**
   * Whether the report asks for each file a Load Image used from ComfyUI's input folder (the
   * editor's way: "choose that file on the node"). Default true; the CLI says it itself, with
   * the `--set` that gives it, once it knows which images its command line left out.
   */
  askForInputFiles?: boolean;
}

/**
 * A ComfyUI workflow (UI format, API format, or a /prompt request body holding either) as a
 * Sequence Studio workflow: ByteDanceSeedreamNode, LoadImage, SaveImage, PreviewImage,
 * ImageBatch and text primitives map to our kinds, ComfyUI's notes and groups to ours; anything
 * else is kept as a placeholder and named in the report by its ComfyUI title. Images named by
 * ComfyUI file name become Load Image nodes that ask for the file (see {@link comfyInputFiles}).
 * Pure and isomorphic; never throws.
 */
export function importComfyWorkflow(json: unknown, registry: NodeRegistry, options: ComfyImportOptions = {}): ComfyImport {
  try {
    return importData(unwrapPromptRequest(json), registry, options);
  } catch (err) {
    // A bug here must not take the editor or the CLI down with it: say what happened instead.
    return {
      ok: false,
      code: 'comfyui-import-failed',
      reason: `The ComfyUI workflow could not be imported (${err instanceof Error ? err.message : String(err)}).`,
    };
  }
}

function importData(raw: unknown, registry: NodeRegistry, options: ComfyImportOptions): ComfyImport {
  const format = comfyFormatOf(raw);
  if (!format) return { ok: false, code: 'not-comfyui', reason: 'This is not a ComfyUI workflow (neither its UI format nor its API format).' };
  const read = readComfyGraph(raw);
  if (!read.ok) return read;
  const { graph } = read;
  const built = buildWorkflow(graph, registry, { askForInputFiles: options.askForInputFiles ?? true });
  // Notes alone are nothing to run: such a file is still one to open in ComfyUI.
  if (built.mapped - built.notes === 0) {
    const types = [...new Set(graph.nodes.map((n) => n.type))].slice(0, 8).join(', ');
    return {
      ok: false,
      code: 'comfyui-workflow',
      reason:
        `This is a ComfyUI workflow, but none of its ${count(graph.nodes.length, 'node')} has a counterpart here${types ? ` (it uses ${types})` : ''}. ` +
        'Sequence Studio imports ComfyUI workflows built on ByteDance Seedream (ByteDanceSeedreamNode) with Load Image, Save Image, Preview Image, Batch Images and text primitives; open this one in ComfyUI.',
    };
  }
  const kept = built.placeholders.length;
  const summary =
    `Imported a ComfyUI workflow (${format === 'ui' ? 'UI' : 'API'} format): ${built.mapped} of ${count(graph.nodes.length, 'node')} mapped` +
    (kept ? `, ${kept} kept as ${kept === 1 ? 'a placeholder' : 'placeholders'} that cannot run.` : '.');
  const lines = [summary, ...built.report];
  const report =
    lines.length > MAX_REPORT_LINES ? [...lines.slice(0, MAX_REPORT_LINES - 1), `…and ${lines.length - MAX_REPORT_LINES + 1} more notes like these.`] : lines;
  return { ok: true, workflow: built.workflow, report, placeholders: built.placeholders, format };
}

/**
 * The graph inside a body posted to ComfyUI's /prompt (`{ prompt, extra_data }`): the UI-format
 * workflow it carries in `extra_data.extra_pnginfo.workflow` when there is one, else the prompt.
 */
