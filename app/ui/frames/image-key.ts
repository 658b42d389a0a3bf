import type { ImageRef } from '../../graph/ports';

/** What identifies an image's bytes: its asset id, or its URL. */
export const imageKey = (ref: ImageRef): string => (ref.kind === 'asset' ? ref.assetId : ref.url);
