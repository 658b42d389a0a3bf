import { useReactFlow } from '@xyflow/react';
import type { NodeRegistry } from '../../graph/registry';
import { offsetTo, parseClipboardText } from '../../store/clipboard';
import type { StudioStore } from '../../store/create-store';
import type { XY } from '../../store/graph-ops';
import { useRegistry, useStudioStore } from '../studio-context';
import { menuFor, type MenuActions } from './canvas-menus';
import { useCanvasUi, useCanvasUiState } from './canvas-ui';
import { ContextMenu } from './ContextMenu';

const LABELS = { node: 'Node', edge: 'Link', input: 'Input', note: 'Note', group: 'Group', pane: 'Canvas' } as const;

/** Pastes what the system clipboard holds (nodes copied here or in another tab, a workflow) at `at`. */
async function pasteAt(store: StudioStore, registry: NodeRegistry, at: XY): Promise<void> {
  let text: string;
  try {
    text = await navigator.clipboard.readText();
  } catch {
    store.getState().notify('This browser does not let the page read the clipboard from a menu: press Ctrl+V over the canvas to paste.');
    return;
  }
  const fragment = parseClipboardText(text, registry);
  if (!fragment) {
    store.getState().notify('The clipboard holds no nodes to paste.');
    return;
  }
  store.getState().setSelection(store.getState().insertFragment(fragment, offsetTo(fragment.nodes, at)));
}

/** The open context menu of the canvas (canvas-ui.ts), with its entries (canvas-menus.ts) and what they do here. */
export function CanvasMenu({ fitView }: { fitView(): void }) {
  const ui = useCanvasUi();
  const menu = useCanvasUiState((s) => s.menu);
  const store = useStudioStore();
  const registry = useRegistry();
  const flow = useReactFlow();
  if (!menu) return null;
  const at = flow.screenToFlowPosition(menu.screen);
  const actions: MenuActions = {
    search: (o = {}) => store.getState().openSearch({ screen: menu.screen, flow: at, ...(o.splice ? { splice: o.splice } : {}) }),
    fitView,
    fitAll: () => store.getState().requestFitAll(),
    copy: (ids) => {
      // The editor's copy handler (use-clipboard.ts) puts the selection on the clipboard.
      store.getState().setSelection(ids);
      document.execCommand('copy');
    },
    paste: (where) => void pasteAt(store, registry, where),
    edit: (id) => ui.getState().edit(id),
  };
  const close = () => {
    ui.getState().closeMenu();
    menu.returnFocus?.focus();
  };
  return (
    <ContextMenu entries={menuFor(menu.target, { store, registry, actions, at })} at={menu.screen} label={`${LABELS[menu.target.kind]} menu`} onClose={close} />
  );
}
