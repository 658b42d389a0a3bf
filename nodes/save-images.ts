import { z } from 'zod';
import type { ParamMeta } from '../app/graph/node-definition';
import { defineNode } from '../app/graph/registry';
import { readImageList, throwIfAborted } from './port-values';

const PREFIX_MAX = 64;

/**
 * A file-name prefix that is safe on every OS: letters, digits, space, `_`, `.`, `-`; no path
 * parts, no hidden files, nothing Windows would silently trim.
 */
const zFilePrefix = z
  .string()
  .min(1, 'Enter a file name prefix')
  .max(PREFIX_MAX, `A prefix is at most ${PREFIX_MAX} characters`)
  .regex(/^[A-Za-z0-9 _.-]*$/, 'Use only letters, digits, spaces and _ . - in the prefix (no / or \\)')
  .refine((s) => !s.startsWith('.'), 'A prefix cannot start with a dot')
  .refine((s) => !s.includes('..'), 'A prefix cannot contain ".."')
  .refine((s) => s.trim() === s && !s.endsWith('.'), 'A prefix cannot start or end with a space, or end with a dot');

/**
 * Save Images: writes the images reaching it through the run context's output sink (downloads in
 * the browser, files in the CLI). It runs on every run (`alwaysRun`) because saving is its effect;
 * saving reads stored bytes and never generates, so re-running it costs nothing.
 */
export const saveImagesNode = defineNode({
  kind: 'image.save',
  version: 1,
  title: 'Save Images',
  category: 'Output',
  description: 'Saves the images that reach it as files named after a prefix.',
  traits: { sink: 'save' },
  inputs: [
    {
      name: 'images',
      type: 'image-list',
      label: 'Images',
      description: 'Several links are saved one after another.',
      multiple: true,
    },
  ],
  outputs: [{ name: 'images', type: 'image-list', label: 'Images' }],
  params: z.object({
    prefix: zFilePrefix.default('sequence').meta({
      label: 'File prefix',
      widget: 'text',
      placeholder: 'sequence',
      description: `Start of each file name (1–${PREFIX_MAX} of A–Z a–z 0–9 space _ . -).`,
    } satisfies ParamMeta),
  }),
  isOutput: true,
  alwaysRun: true,
  async run(args) {
    const { nodeId, params, ctx } = args;
    const images = readImageList(args, 'images');
    throwIfAborted(ctx.signal);
    const files = await ctx.output.save(images, { nodeId, prefix: params.prefix, signal: ctx.signal });
    ctx.annotate({ files });
    return { images };
  },
});
