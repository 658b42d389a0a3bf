import { z } from 'zod';
import { defineNode } from '../app/graph/registry';
import { readImageList, throwIfAborted } from './port-values';

/**
 * Preview: an output node that shows the images reaching it. It passes them through so the UI
 * (and a chained node) can read them from its result; showing them is the UI's job.
 */
export const previewImagesNode = defineNode({
  kind: 'image.preview',
  version: 1,
  title: 'Preview',
  category: 'Output',
  description: 'Shows the images that reach it, without saving them.',
  traits: { sink: 'preview' },
  inputs: [
    {
      name: 'images',
      type: 'image-list',
      label: 'Images',
      description: 'Several links are shown one after another.',
      multiple: true,
    },
  ],
  outputs: [{ name: 'images', type: 'image-list', label: 'Images' }],
  params: z.object({}),
  isOutput: true,
  async run(args) {
    throwIfAborted(args.ctx.signal);
    return { images: readImageList(args, 'images') };
  },
});
