import type { StudioStore } from '../../store/create-store';
import { extractFragment } from '../../store/graph-ops';

/** Copies the selected nodes (and links between them) next to themselves; selects the copies. */
export function duplicateSelection(store: StudioStore): boolean {
  const s = store.getState();
  if (s.selectedNodes.size === 0) return false;
  const fragment = extractFragment(s.workflow, s.selectedNodes);
  const ids = s.insertFragment(fragment, { x: 40, y: 40 });
  s.setSelection(ids);
  return true;
}
