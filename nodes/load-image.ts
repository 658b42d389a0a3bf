import { z } from 'zod';
import type { ParamMeta } from '../app/graph/node-definition';
import { zImageRef } from '../app/graph/ports';
import { defineNode } from '../app/graph/registry';
import { NodeInputError } from './errors';
import { throwIfAborted } from './port-values';

/**
 * Load Image: one image from a local file (stored as an asset) or an https URL. Nothing is
 * fetched here: a URL reference travels on as-is and whoever needs the bytes reads them through
 * the asset store, so an unchanged URL keeps its cache key.
 */
export const loadImageNode = defineNode({
  kind: 'image.load',
  version: 1,
  title: 'Load Image',
  category: 'Input',
  description: 'An image from your computer or an https URL, to use as a reference.',
  inputs: [],
  outputs: [{ name: 'image', type: 'image', label: 'Image' }],
  params: z.object({
    image: zImageRef
      .nullable()
      .default(null)
      .meta({
        label: 'Image',
        widget: 'image',
        description: 'Drop a PNG or JPEG file, or paste an https:// URL.',
        placeholder: 'https://…',
      } satisfies ParamMeta),
  }),
  validate({ params }) {
    if (params.image !== null) return [];
    return [{ severity: 'error', code: 'image-missing', field: 'image', message: 'Choose a file or paste an https URL' }];
  },
  async run({ nodeId, params, ctx }) {
    throwIfAborted(ctx.signal);
    if (params.image === null) {
      throw new NodeInputError({ code: 'image-missing', field: 'image', nodeId, message: 'Choose a file or paste an https URL' });
    }
    return { image: params.image };
  },
});
