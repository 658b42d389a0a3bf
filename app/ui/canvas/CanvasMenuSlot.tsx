import { lazy, Suspense } from 'react';
import { useCanvasUiState } from './canvas-ui';

// The menus (their entries, actions and colour palette) load on the first right-click.
const CanvasMenu = lazy(() => import('./CanvasMenu').then((m) => ({ default: m.CanvasMenu })));

/** Where the canvas's open context menu is drawn: nothing until one opens. */
export function CanvasMenuSlot({ fitView }: { fitView(): void }) {
  const open = useCanvasUiState((s) => s.menu !== null);
  return open ? (
    <Suspense fallback={null}>
      <CanvasMenu fitView={fitView} />
    </Suspense>
  ) : null;
}
