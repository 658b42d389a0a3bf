import type { EdgeTypes, NodeTypes } from '@xyflow/react';
import { CanvasNode } from './CanvasNode';
import { GroupNode } from './GroupNode';
import { MergeEdge } from './MergeEdge';
import { NoteNode } from './NoteNode';

/**
 * Defined once at module scope: a new object on every render would make React Flow warn and
 * re-mount every node. Every kind is drawn by the one generic GraphNode (or, zoomed out, its
 * outline: CanvasNode); notes and group frames have their own.
 */
export const nodeTypes: NodeTypes = { graph: CanvasNode, note: NoteNode, frame: GroupNode };

/** Links into a multiple input with several links show their merge order; all others are React Flow's default. */
export const edgeTypes: EdgeTypes = { merge: MergeEdge };
