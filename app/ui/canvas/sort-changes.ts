import type { NodeChange } from '@xyflow/react';
import type { Workflow } from '../../graph/workflow-schema';
import { membersMoved } from '../../store/graph-items';
import type { XY } from '../../store/graph-ops';
import type { Size } from '../../store/ui-slice';
import type { CanvasFlowNode } from './flow-derive';

/** React Flow's node changes, sorted into what the editor does with each. */
export interface SortedChanges {
  /** Moves (of nodes, notes and groups; a group's members with it). */
  positions: Map<string, XY>;
  /** Whether the moves are frames of a drag (held by the canvas until it ends). */
  dragging: boolean;
  selection: Map<string, boolean>;
  /** Graph nodes measured by React Flow. */
  sizes: Map<string, Size>;
  /** Notes and groups resized by their corners: new size, whether still resizing, and the new corner when resized from top or left. */
  resized: Map<string, { size: Size; resizing: boolean; position?: XY }>;
}

/**
 * Sorts one batch of React Flow node changes. A note or group being resized reports a size (and,
 * from a top or left corner, a position): both go to the resize, not to a move. A group being
 * moved takes its members along, each keeping its offset from the group (from the saved
 * positions: while a drag goes on, the canvas holds positions and the workflow keeps the old ones).
 */
export function sortChanges(changes: readonly NodeChange<CanvasFlowNode>[], wf: Workflow): SortedChanges {
  const out: SortedChanges = { positions: new Map(), dragging: false, selection: new Map(), sizes: new Map(), resized: new Map() };
  const items = new Set([...(wf.notes ?? []).map((n) => n.id), ...(wf.groups ?? []).map((g) => g.id)]);
  const moved = new Map<string, XY>();
  for (const c of changes) {
    if (c.type === 'dimensions' && c.dimensions && items.has(c.id)) {
      if (c.resizing !== undefined) out.resized.set(c.id, { size: c.dimensions, resizing: c.resizing });
    } else if (c.type === 'dimensions' && c.dimensions) out.sizes.set(c.id, c.dimensions);
    else if (c.type === 'position' && c.position) {
      moved.set(c.id, c.position);
      out.dragging ||= c.dragging === true;
    } else if (c.type === 'select') out.selection.set(c.id, c.selected);
  }
  for (const [id, position] of moved) {
    const resize = out.resized.get(id);
    if (resize) resize.position = position;
    else out.positions.set(id, position);
  }
  const groups = new Set((wf.groups ?? []).map((g) => g.id));
  for (const [id, position] of [...out.positions]) {
    if (!groups.has(id)) continue;
    for (const [member, at] of membersMoved(wf, id, position)) if (!moved.has(member)) out.positions.set(member, at);
  }
  return out;
}
