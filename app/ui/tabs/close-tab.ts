import type { TabManager } from '../../store/tab-manager';
import type { TabsUi } from './tabs-ui';

/** ✕, middle-click: closes at once when nothing would be lost or left going; else asks first. */
export function requestCloseTab(tabs: TabManager, ui: TabsUi, tabId: string): void {
  const check = tabs.closeCheck(tabId);
  if (check.dirty || check.running || check.queued > 0) ui.getState().openDialog({ kind: 'close', tabId });
  else tabs.closeTab(tabId);
}
