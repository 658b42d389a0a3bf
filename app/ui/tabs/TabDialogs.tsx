import { OpenWorkflowDialog } from '../library/OpenWorkflowDialog';
import { SaveAsDialog } from '../library/SaveAsDialog';
import { useTabs } from '../studio-context';
import { CloseTabDialog } from './CloseTabDialog';
import { useTabsUi, useTabsUiStore } from './tabs-ui';

/** The one open dialog of the tabs and the library: save as, open (Ctrl+O), close a tab. */
export function TabDialogs() {
  const tabs = useTabs();
  const ui = useTabsUiStore();
  const dialog = useTabsUi((s) => s.dialog);
  if (!tabs || !ui || !dialog) return null;
  switch (dialog.kind) {
    case 'save-as':
      return <SaveAsDialog key={`${dialog.tabId}:${dialog.refusal?.reason ?? ''}`} tabs={tabs} ui={ui} dialog={dialog} />;
    case 'open':
      return <OpenWorkflowDialog tabs={tabs} ui={ui} />;
    case 'close':
      return <CloseTabDialog tabs={tabs} ui={ui} tabId={dialog.tabId} />;
  }
}
