import { z } from 'zod';
import type { ParamMeta } from '../app/graph/node-definition';
import { defineNode } from '../app/graph/registry';
import { NodeInputError } from './errors';
import { parseFrames, resolveFrames, selectFrames } from './frame-range';
import { knownItemCount, readImageList, throwIfAborted } from './port-values';

/**
 * Select Frames: keeps some items of an image list, e.g. one frame of a Seedream sequence to
 * chain into the next edit. The selection syntax is documented in `frame-range.ts`.
 */
export const selectFramesNode = defineNode({
  kind: 'image.select',
  version: 1,
  title: 'Select Frames',
  category: 'Frames',
  description: 'Picks frames from an image list by number or range, like 1,3-5 or 2- (to the end).',
  inputs: [{ name: 'images', type: 'image-list', label: 'Images' }],
  outputs: [{ name: 'images', type: 'image-list', label: 'Images' }],
  params: z.object({
    // Default "1": a new picker does something visible and fits any non-empty list.
    frames: z
      .string()
      .max(1_000)
      .default('1')
      .meta({
        label: 'Frames',
        widget: 'frames',
        placeholder: '1,3-5',
        description: 'Frame numbers from 1, in the order wanted: 2 · 1-3 · 4- (to the end) · 5-3 (reversed) · 1,1 (repeat).',
      } satisfies ParamMeta),
  }),
  validate({ params, links }) {
    const parsed = parseFrames(params.frames);
    if (!parsed.ok) return [{ severity: 'error', code: 'frames-invalid', field: 'frames', message: parsed.error.message }];
    // When the list length is known before running (e.g. Load Image nodes), check the range now.
    const imageLinks = links.images ?? [];
    const { min, exact } = knownItemCount(imageLinks);
    if (imageLinks.length === 0 || !exact) return [];
    const resolved = resolveFrames(parsed.spans, min);
    if (resolved.ok) return [];
    return [{ severity: 'error', code: 'frame-out-of-range', field: 'frames', message: resolved.error.message }];
  },
  async run(args) {
    throwIfAborted(args.ctx.signal);
    const picked = selectFrames(args.params.frames, readImageList(args, 'images'));
    if (!picked.ok) {
      const code = 'frame' in picked.error ? 'frame-out-of-range' : 'frames-invalid';
      throw new NodeInputError({ code, field: 'frames', nodeId: args.nodeId, message: picked.error.message });
    }
    return { images: picked.items };
  },
});
