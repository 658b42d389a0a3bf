import { jsonText } from '../lib/json-nesting';
import { insertPngText, readPngTextChunks, type PngTextFailure } from '../lib/png-text';
import { isComfyWorkflow } from './comfyui/detect';
import type { Issue } from './issues';
import { loadWorkflow, type LoadOptions, type LoadResult } from './load-workflow';
import type { NodeRegistry } from './registry';
import type { Workflow } from './workflow-schema';

/**
 * The PNG text keyword holding the workflow JSON. ComfyUI uses the same keyword (next to
 * `prompt`), so tools that look for a ComfyUI-style `workflow` chunk find ours.
 */
export const PNG_WORKFLOW_KEYWORD = 'workflow';

/** Why a workflow could not be put into a PNG: the PNG refused the chunk, or the workflow is not JSON. */
export type EmbedWorkflowFailure = PngTextFailure | { ok: false; code: 'workflow-not-serialisable'; message: string };

/**
 * A copy of `png` carrying `workflow` as compact JSON in a `workflow` text chunk. Never throws:
 * it runs while a paid result is being saved, and the image matters more than its workflow.
 */
export function embedWorkflowInPng(png: Uint8Array, workflow: Workflow): { ok: true; bytes: Uint8Array } | EmbedWorkflowFailure {
  const json = jsonText(workflow);
  if (!json.ok) return { ok: false, code: 'workflow-not-serialisable', message: `The workflow could not be written as JSON (${json.reason}).` };
  return insertPngText(png, PNG_WORKFLOW_KEYWORD, json.text);
}

const fail = (code: string, message: string) => ({ ok: false as const, issues: [{ severity: 'error' as const, code, message } satisfies Issue] });

/** ComfyUI's keyword for the API-format graph it saves next to `workflow`. */
const COMFYUI_PROMPT_KEYWORD = 'prompt';

/**
 * The workflow JSON text a PNG carries, without parsing it: for callers that open workflow data
 * their own way. When several `workflow` chunks exist the last wins, as in ComfyUI's reader.
 * Without one, a ComfyUI `prompt` chunk (its API-format graph) is used, as ComfyUI does.
 */
export function workflowTextFromPng(bytes: Uint8Array): { ok: true; text: string } | { ok: false; issues: Issue[] } {
  const read = readPngTextChunks(bytes);
  if (!read.ok) return fail(read.code === 'not-png' ? 'not-png' : 'bad-png', read.message);
  const chunk = read.chunks.filter((c) => c.keyword === PNG_WORKFLOW_KEYWORD).pop();
  if (chunk) return { ok: true, text: chunk.text };
  const prompt = read.chunks.filter((c) => c.keyword === COMFYUI_PROMPT_KEYWORD).pop();
  if (prompt && isComfyWorkflow(parseOrUndefined(prompt.text))) return { ok: true, text: prompt.text };
  const damaged = read.skipped.length ? ` (${read.skipped.length} damaged text chunk(s) were skipped: ${read.skipped.map((s) => s.reason).join('; ')})` : '';
  return fail('no-workflow', `This PNG carries no workflow${damaged}.`);
}

/**
 * Parse-and-migrate for a PNG saved with its workflow (what dropping an image onto the canvas
 * does); a ComfyUI PNG's graph is imported (see loadWorkflow). Never throws: a PNG without a
 * workflow, a ComfyUI graph with nothing to import, or a broken file comes back as
 * `{ ok: false, issues }` with a sentence saying which.
 */
export function workflowFromPng(bytes: Uint8Array, registry?: NodeRegistry, options: LoadOptions = {}): LoadResult {
  const found = workflowTextFromPng(bytes);
  if (!found.ok) return found;
  let raw: unknown;
  try {
    raw = JSON.parse(found.text) as unknown;
  } catch {
    return fail('not-json', 'This PNG has a "workflow" text chunk, but it is not valid JSON.');
  }
  return loadWorkflow(raw, registry, options);
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
