import type { NodeTypes } from '@xyflow/react';
import { CanvasNode } from './CanvasNode';

/**
 * Defined once at module scope: a new object on every render would make React Flow warn and
 * re-mount every node. Every kind is drawn by the one generic GraphNode (or, zoomed out, its
 * outline: CanvasNode).
 */
export const nodeTypes: NodeTypes = { graph: CanvasNode };
