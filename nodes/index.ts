import type { NodeDefinition } from '../app/graph/node-definition';
import { createRegistry } from '../app/graph/registry';
import { loadImageNode } from './load-image';
import { mergeImagesNode } from './merge-images';
import { previewImagesNode } from './preview-images';
import { saveImagesNode } from './save-images';
import { seedreamEditSequentialNode } from './seedream-edit-sequential';
import { selectFramesNode } from './select-frames';
import { textPromptNode } from './text-prompt';

/**
 * Every node kind this build knows, in palette order. An explicit list (no file-system
 * discovery) so the browser bundle, the CLI and tests see exactly the same kinds.
 */
export const nodeDefinitions: readonly NodeDefinition[] = [
  loadImageNode,
  textPromptNode,
  seedreamEditSequentialNode,
  selectFramesNode,
  mergeImagesNode,
  previewImagesNode,
  saveImagesNode,
];

/** The registry of the built-in node kinds (throws at import if two share a kind). */
export const registry = createRegistry(nodeDefinitions);
