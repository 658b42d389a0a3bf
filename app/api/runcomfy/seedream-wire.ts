import { z } from 'zod';
import type { Issue } from '../../graph/issues';
import { formatPath } from '../../lib/zod-format';
import { MAX_OUTPUT_IMAGES, MIN_OUTPUT_IMAGES, RESOLUTIONS, zResolution, type SeedreamInput } from '../../model/seedream';
import type { SentSummary } from '../provider';

/**
 * Seedream's params in node terms (what `GenerationRequest.params` carries) mapped onto RunComfy's
 * wire input for the model, and back for summaries. The wire names live here and in
 * app/model/seedream.ts, nowhere else.
 */

/**
 * The params a Seedream request may carry. Strict: a misspelt param would otherwise be dropped
 * silently and a paid job run with settings nobody chose.
 */
export const zSeedreamParams = z.strictObject({
  /** `sequential_image_generation_options`: the most images to make (the price follows it). */
  maxImages: z.int().min(MIN_OUTPUT_IMAGES).max(MAX_OUTPUT_IMAGES),
  resolution: zResolution.optional(),
  seed: z.int().optional(),
});
export type SeedreamParams = z.infer<typeof zSeedreamParams>;

const PARAM_RULES: Readonly<Record<string, string>> = {
  maxImages: `an integer from ${MIN_OUTPUT_IMAGES} to ${MAX_OUTPUT_IMAGES}`,
  resolution: `one of ${RESOLUTIONS.map((r) => `"${r}"`).join(', ')}`,
  seed: 'an integer',
};

/** The params checked, or one issue per broken rule naming the param, what it got and what is expected. */
export function checkSeedreamParams(params: unknown): { params?: SeedreamParams; issues: Issue[] } {
  const parsed = zSeedreamParams.safeParse(params);
  if (parsed.success) return { params: parsed.data, issues: [] };
  const issues = parsed.error.issues.map((i): Issue => {
    if (i.code === 'unrecognized_keys') {
      const names = i.keys.map((k) => `"${k}"`).join(', ');
      return {
        severity: 'error',
        code: 'param-invalid',
        field: 'params',
        message: `params: ${names} ${i.keys.length === 1 ? 'is not a' : 'are not'} Seedream param${i.keys.length === 1 ? '' : 's'}; expected maxImages, resolution and seed.`,
      };
    }
    const name = String(i.path[0] ?? '');
    const got = params && typeof params === 'object' ? (params as Record<string, unknown>)[name] : undefined;
    const rule = PARAM_RULES[name];
    return {
      severity: 'error',
      code: 'param-invalid',
      field: formatPath(['params', ...i.path]),
      message: `params.${name}: ${i.message} (got ${got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 40)})${rule ? `; expected ${rule}` : ''}.`,
    };
  });
  return { issues };
}

/** The wire input of a submit: reference entries (data URIs or https URLs) in order, prompt, params. */
export function toWireInput(params: SeedreamParams, prompt: string, images: string[]): SeedreamInput {
  return {
    images,
    prompt,
    sequential_image_generation_options: params.maxImages,
    ...(params.resolution !== undefined ? { resolution: params.resolution } : {}),
    ...(params.seed !== undefined ? { seed: params.seed } : {}),
  };
}

/** The params of a wire input, in node terms. */
export function paramsOfInput(input: SeedreamInput): SentSummary['params'] {
  return {
    maxImages: input.sequential_image_generation_options,
    ...(input.resolution !== undefined ? { resolution: input.resolution } : {}),
    ...(input.seed !== undefined ? { seed: input.seed } : {}),
  };
}

/** What a submit sends, without image bytes: data URIs become `image/png data URI (N base64 characters)`. */
export function summariseSent(input: SeedreamInput, url: string, bodyBytes: number): SentSummary {
  const images = input.images.map((img) => {
    const m = /^data:([^;,]+)[^,]*,/.exec(img);
    return m ? `${m[1]} data URI (${img.length - m[0].length} base64 characters)` : img;
  });
  return { url, bodyBytes, images, prompt: input.prompt, params: paramsOfInput(input) };
}
