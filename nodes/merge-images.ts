import { z } from 'zod';
import type { ParamMeta } from '../app/graph/node-definition';
import type { ImageRef } from '../app/graph/ports';
import { defineNode } from '../app/graph/registry';
import { readImageList, throwIfAborted } from './port-values';

/** Two refs are the same image when they name the same stored bytes or the same URL. */
const identity = (ref: ImageRef): string => (ref.kind === 'asset' ? `asset:${ref.assetId}` : `url:${ref.url}`);

/**
 * Merge Images: one ordered list from several. The executor already concatenates the links of a
 * `multiple` input in edge order; this node gives that list a single place in the graph (to feed
 * several consumers) and can drop repeats, which would waste Seedream's 14 reference slots.
 */
export const mergeImagesNode = defineNode({
  kind: 'image.merge',
  version: 1,
  title: 'Merge Images',
  category: 'Frames',
  description: 'Joins images and image lists into one list, in the order the links are connected.',
  inputs: [
    {
      name: 'images',
      type: 'image-list',
      label: 'Images',
      description: 'Connect several images or lists; they are joined in link order.',
      multiple: true,
    },
  ],
  outputs: [{ name: 'images', type: 'image-list', label: 'Images' }],
  params: z.object({
    dedupe: z
      .boolean()
      .default(false)
      .meta({
        label: 'Drop duplicates',
        widget: 'toggle',
        description: 'Keep only the first copy of an image that arrives more than once (same file or URL).',
      } satisfies ParamMeta),
  }),
  async run(args) {
    throwIfAborted(args.ctx.signal);
    const images = readImageList(args, 'images');
    if (!args.params.dedupe) return { images };
    const seen = new Set<string>();
    const unique = images.filter((ref) => {
      const id = identity(ref);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    return { images: unique };
  },
});
