import type { NodeTypes } from '@xyflow/react';
import { GraphNode } from '../node/GraphNode';

/**
 * Defined once at module scope: a new object on every render would make React Flow warn and
 * re-mount every node. Every kind is drawn by the one generic GraphNode.
 */
export const nodeTypes: NodeTypes = { graph: GraphNode };
