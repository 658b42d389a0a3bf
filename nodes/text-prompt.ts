import { z } from 'zod';
import type { ParamMeta } from '../app/graph/node-definition';
import { defineNode } from '../app/graph/registry';
import { MAX_PARAM_STRING } from '../app/graph/workflow-schema';
import { MAX_PROMPT_CHARS } from '../app/model/seedream';
import { throwIfAborted } from './port-values';

/**
 * Prompt: a piece of text, typically a Seedream prompt shared by several nodes. Length limits
 * belong to whoever consumes the text (Seedream checks its own), so here an empty text is only a
 * warning and the counter merely hints at Seedream's limit.
 */
export const textPromptNode = defineNode({
  kind: 'text.prompt',
  version: 1,
  title: 'Prompt',
  category: 'Input',
  description: 'Text to feed a prompt input, so one prompt can drive several nodes.',
  traits: { staticOutput: { port: 'text', param: 'text' } },
  inputs: [],
  outputs: [{ name: 'text', type: 'text', label: 'Text' }],
  params: z.object({
    text: z
      .string()
      .max(MAX_PARAM_STRING)
      .default('')
      .meta({
        label: 'Text',
        widget: 'textarea',
        maxChars: MAX_PROMPT_CHARS,
        placeholder: 'Generate 3 images of …',
        description: 'Say how many images you want: the model reads the count from the prompt.',
      } satisfies ParamMeta),
  }),
  validate({ params }) {
    if (params.text.trim() !== '') return [];
    return [{ severity: 'warning', code: 'prompt-empty', field: 'text', message: 'The prompt is empty' }];
  },
  async run({ params, ctx }) {
    throwIfAborted(ctx.signal);
    return { text: params.text };
  },
});
