import { useState } from 'react';
import { useActiveTabId, useServices, useStudio, useTabs } from '../studio-context';

/**
 * Another window saved a newer revision of this workflow (the shown tab's): nothing is overwritten
 * silently; the user reloads theirs or keeps (writes) their own.
 */
export function OtherTabBanner() {
  const change = useStudio((s) => s.otherTab);
  const manager = useTabs();
  const activeId = useActiveTabId();
  const services = useServices();
  const tabs = manager?.syncOf(activeId) ?? services.tabs;
  const [busy, setBusy] = useState(false);
  if (!change || !tabs) return null;
  const act = (fn: () => Promise<void>) => {
    setBusy(true);
    void fn().finally(() => setBusy(false));
  };
  return (
    <div className="banner banner-other-tab" role="alert" data-testid="other-tab-banner">
      <span>
        This workflow was changed in another tab{change.savedAt ? ` at ${new Date(change.savedAt).toLocaleTimeString()}` : ''}. Your changes here are not saved
        until you choose.
      </span>
      <button type="button" data-testid="other-tab-reload" disabled={busy} onClick={() => act(tabs.reloadTheirs)}>
        Reload theirs
      </button>
      <button type="button" className="primary" data-testid="other-tab-keep" disabled={busy} onClick={() => act(tabs.keepMine)}>
        Keep mine
      </button>
    </div>
  );
}
