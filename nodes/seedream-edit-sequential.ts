import { z } from 'zod';
import type { Issue } from '../app/graph/issues';
import type { LinkInfo, ParamMeta } from '../app/graph/node-definition';
import { defineNode } from '../app/graph/registry';
import { MAX_PARAM_STRING } from '../app/graph/workflow-schema';
import {
  DEFAULT_MAX_IMAGES,
  DEFAULT_RESOLUTION,
  DEFAULT_SEED,
  MAX_OUTPUT_IMAGES,
  MAX_PROMPT_CHARS,
  MAX_REFERENCE_IMAGES,
  MAX_SEED,
  MAX_TOTAL_IMAGES,
  MIN_OUTPUT_IMAGES,
  MIN_REFERENCE_IMAGES,
  MIN_SEED,
  promptImageCount,
  SEEDREAM_MODEL_ID,
  zResolution,
} from '../app/model/seedream';
import type { JobMeta } from '../app/graph/generation';
import { NodeInputError, type NodeInputCode } from './errors';
import { knownItemCount, readImageList, readOptionalText, throwIfAborted } from './port-values';

type Problem = { code: NodeInputCode; field: string; message: string; fix?: Issue['fix'] };
const REFERENCE_RANGE = `${MIN_REFERENCE_IMAGES}–${MAX_REFERENCE_IMAGES}`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Too many references is an error; `atLeast` when only a lower bound is known statically. */
function referenceProblem(count: number, atLeast = false): Problem | undefined {
  if (count >= MIN_REFERENCE_IMAGES && count <= MAX_REFERENCE_IMAGES) return undefined;
  const got = count === 0 ? 'none arrived' : `${atLeast ? 'at least ' : ''}${count} arrived`;
  return { code: 'reference-count', field: 'images', message: `Seedream takes ${REFERENCE_RANGE} reference images; ${got}` };
}

/** The rules the prompt must meet, whether typed inline or linked. */
function promptProblem(prompt: string, linked: boolean): Problem | undefined {
  if (prompt.trim() === '') {
    const message = linked ? 'The prompt linked to this node is empty' : 'Write a prompt, or connect one to the Prompt input';
    return { code: 'prompt-empty', field: 'prompt', message };
  }
  if (prompt.length > MAX_PROMPT_CHARS) {
    return {
      code: 'prompt-too-long',
      field: 'prompt',
      message: `The prompt has ${prompt.length} characters; Seedream accepts at most ${MAX_PROMPT_CHARS} (under ${MAX_PROMPT_CHARS + 1})`,
    };
  }
  return undefined;
}

const setMaxImages = (n: number): Issue['fix'] => ({ label: `Set Max images to ${n}`, param: 'maxImages', value: n });

/**
 * Allowed but probably unintended combinations: shown as warnings (on the node and in the cost
 * dialog, with a fix when one is obvious), logged at run time. `linked` says the prompt came in
 * through the Prompt input.
 */
function advisories(references: number, prompt: string | undefined, maxImages: number, o: { atLeast?: boolean; linked?: boolean } = {}): Problem[] {
  const found: Problem[] = [];
  // What can come back at most; billing follows Max images all the same.
  const room = references <= MAX_REFERENCE_IMAGES ? MAX_TOTAL_IMAGES - references : undefined;
  if (room !== undefined && maxImages > room) {
    found.push({
      code: 'image-budget',
      field: 'maxImages',
      message: `${o.atLeast ? 'At least ' : ''}${plural(references, 'reference')} + Max images ${maxImages} exceeds ${MAX_TOTAL_IMAGES}: the model can return at most ${MAX_TOTAL_IMAGES} − ${references} = ${plural(room, 'image')}, but the price follows Max images`,
      ...(room >= MIN_OUTPUT_IMAGES ? { fix: setMaxImages(room) } : {}),
    });
  }
  const asked = prompt === undefined ? undefined : promptImageCount(prompt);
  if (asked !== undefined && asked !== maxImages) {
    const fits = asked >= MIN_OUTPUT_IMAGES && asked <= MAX_OUTPUT_IMAGES && (room === undefined || asked <= room);
    found.push({
      code: 'prompt-count-mismatch',
      field: 'maxImages',
      message: `The ${o.linked ? 'linked ' : ''}prompt asks for ${plural(asked, 'image')} but Max images is ${maxImages}`,
      ...(fits ? { fix: setMaxImages(asked) } : {}),
    });
  }
  return found;
}

/** The prompt the planner can see: the inline one, or the linked one when its text is known before running. */
function staticPrompt(params: { prompt: string }, promptLinks: readonly LinkInfo[]): { text: string | undefined; linked: boolean } {
  if (promptLinks.length === 0) return { text: params.prompt, linked: false };
  return { text: promptLinks.length === 1 ? promptLinks[0]!.knownText : undefined, linked: true };
}

const issue = (severity: Issue['severity'], p: Problem): Issue => ({ severity, ...p });

/**
 * Seedream 4.5 Edit Sequential: 1–14 reference images and a prompt in, a coherent sequence of up
 * to 15 images out, through the run context's API (RunComfy or the simulator). The planner's
 * checks are repeated on the real inputs before anything is submitted, because a submit is paid.
 */
export const seedreamEditSequentialNode = defineNode({
  kind: 'seedream.edit-sequential',
  version: 1,
  title: 'Seedream 4.5 Edit Sequential',
  category: 'Generate',
  description: 'Edits reference images into a coherent sequence of up to 15 images with ByteDance Seedream 4.5.',
  traits: { billing: { model: SEEDREAM_MODEL_ID, priceParam: 'maxImages' }, frames: { pickable: true } },
  inputs: [
    {
      name: 'images',
      type: 'image-list',
      label: 'Images',
      description: `${REFERENCE_RANGE} reference images; several links are merged in order.`,
      multiple: true,
    },
    {
      name: 'prompt',
      type: 'text',
      label: 'Prompt',
      description: 'When linked, replaces the inline prompt.',
      optional: true,
      replacesParam: 'prompt',
    },
  ],
  outputs: [{ name: 'images', type: 'image-list', label: 'Images' }],
  params: z.object({
    // Length is checked by validate(), not here: a long inline prompt is harmless while the
    // prompt input is linked, and the message can then say which prompt is at fault.
    prompt: z
      .string()
      .max(MAX_PARAM_STRING)
      .default('')
      .meta({
        label: 'Prompt',
        widget: 'textarea',
        maxChars: MAX_PROMPT_CHARS,
        placeholder: 'Generate 3 images of …',
        description: 'Say how many images you want: the model reads the count from the prompt.',
      } satisfies ParamMeta),
    maxImages: z
      .int()
      .min(MIN_OUTPUT_IMAGES)
      .max(MAX_OUTPUT_IMAGES)
      .default(DEFAULT_MAX_IMAGES)
      .meta({
        label: 'Max images',
        widget: 'number',
        step: 1,
        description: `The most images to generate (${MIN_OUTPUT_IMAGES}–${MAX_OUTPUT_IMAGES}); the price follows this number.`,
      } satisfies ParamMeta),
    resolution: zResolution.default(DEFAULT_RESOLUTION).meta({
      label: 'Resolution',
      widget: 'select',
      description: 'For 2K and 4K the model picks the shape: describe it in the prompt.',
    } satisfies ParamMeta),
    seed: z
      .int()
      .min(MIN_SEED)
      .max(MAX_SEED)
      .default(DEFAULT_SEED)
      .meta({ label: 'Seed', widget: 'seed', description: 'Change it for a new variation; the model may ignore it.' } satisfies ParamMeta),
  }),
  validate({ params, links }) {
    const imageLinks = links.images ?? [];
    if (imageLinks.length === 0) {
      return [issue('error', { code: 'input-missing', field: 'images', message: `Connect ${REFERENCE_RANGE} reference images` })];
    }
    const issues: Issue[] = [];
    const { min, exact } = knownItemCount(imageLinks);
    // A partial count is a lower bound: it can prove "too many", never "too few".
    const badCount = exact || min > MAX_REFERENCE_IMAGES ? referenceProblem(min, !exact) : undefined;
    if (badCount) issues.push(issue('error', badCount));
    const prompt = staticPrompt(params, links.prompt ?? []);
    const bad = prompt.text === undefined ? undefined : promptProblem(prompt.text, prompt.linked);
    if (bad) issues.push(issue('error', bad));
    for (const p of advisories(min, prompt.text, params.maxImages, { atLeast: !exact, linked: prompt.linked })) issues.push(issue('warning', p));
    return issues;
  },
  async run(args) {
    const { nodeId, params, ctx } = args;
    const images = readImageList(args, 'images');
    const linkedPrompt = readOptionalText(args, 'prompt');
    const prompt = linkedPrompt ?? params.prompt;
    const problem = referenceProblem(images.length) ?? promptProblem(prompt, linkedPrompt !== undefined);
    if (problem) throw new NodeInputError({ ...problem, nodeId });
    for (const p of advisories(images.length, prompt, params.maxImages, { linked: linkedPrompt !== undefined })) ctx.log('warn', p.message);
    throwIfAborted(ctx.signal);

    const modelParams = { maxImages: params.maxImages, resolution: params.resolution, seed: params.seed };
    const result = await ctx.generation.generate(
      { model: SEEDREAM_MODEL_ID, prompt, references: images, params: modelParams, maxOutputs: params.maxImages },
      {
        signal: ctx.signal,
        onProgress: (detail, message) => ctx.progress(undefined, message, detail),
        job: { nodeId, cacheKey: ctx.cacheKey, runId: ctx.runId },
      },
    );
    const job: JobMeta = {
      jobId: result.jobId,
      requestId: result.requestId,
      outputUrls: result.outputUrls,
      // What was asked, for manifests and history (references by count, never by bytes).
      request: { model: SEEDREAM_MODEL_ID, prompt, references: images.length, params: modelParams },
      ...(result.costUsd === undefined ? {} : { costUsd: result.costUsd }),
      missing: result.missing,
      reused: result.reused,
    };
    ctx.annotate({ job });
    if (result.missing.length > 0) {
      // The rest of the paid images arrive on a later run (free): keep this partial result out of the cache.
      ctx.doNotCache(`${plural(result.missing.length, 'image')} of request ${result.requestId} could not be fetched yet`);
      ctx.log(
        'warn',
        `${plural(result.missing.length, 'image')} of ${result.outputUrls.length} could not be fetched (${result.missing.map((m) => `#${m.index + 1}`).join(', ')}); the others are used. Run again to fetch the missing ones for free.`,
      );
    }
    if (result.images.length < params.maxImages) {
      ctx.log('info', `Seedream returned ${plural(result.outputUrls.length, 'image')} of up to ${params.maxImages}`);
    }
    return { images: result.images };
  },
});
