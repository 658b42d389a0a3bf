import { lazy, Suspense } from 'react';
import { useTabs } from '../studio-context';
import { useTabsUi, useTabsUiStore } from './tabs-ui';

// Save as and Open load when first asked for (Ctrl+S the first time, Ctrl+O).
const OpenWorkflowDialog = lazy(() => import('../library/OpenWorkflowDialog').then((m) => ({ default: m.OpenWorkflowDialog })));
const CloseTabDialog = lazy(() => import('./CloseTabDialog').then((m) => ({ default: m.CloseTabDialog })));
const SaveAsDialog = lazy(() => import('../library/SaveAsDialog').then((m) => ({ default: m.SaveAsDialog })));

/** The one open dialog of the tabs and the library: save as, open (Ctrl+O), close a tab. */
export function TabDialogs() {
  const tabs = useTabs();
  const ui = useTabsUiStore();
  const dialog = useTabsUi((s) => s.dialog);
  if (!tabs || !ui || !dialog) return null;
  switch (dialog.kind) {
    case 'save-as':
      return (
        <Suspense fallback={null}>
          <SaveAsDialog key={`${dialog.tabId}:${dialog.refusal?.reason ?? ''}`} tabs={tabs} ui={ui} dialog={dialog} />
        </Suspense>
      );
    case 'open':
      return (
        <Suspense fallback={null}>
          <OpenWorkflowDialog tabs={tabs} ui={ui} />
        </Suspense>
      );
    case 'close':
      return (
        <Suspense fallback={null}>
          <CloseTabDialog tabs={tabs} ui={ui} tabId={dialog.tabId} />
        </Suspense>
      );
  }
}
