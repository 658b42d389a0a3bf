import { useState } from 'react';
import { useStore } from 'zustand';
import { saveTab } from '../../store/library-actions';
import type { TabManager } from '../../store/tab-manager';
import { Modal } from '../library/Modal';
import { useServices } from '../studio-context';
import type { TabsUi } from './tabs-ui';

/**
 * Asks before closing a tab that has unsaved changes, a run going, or runs waiting in the queue,
 * and says what happens to each: changes are lost unless saved; a run keeps going (its paid jobs
 * are collected and cached, never dropped); waiting runs are removed (nothing was paid for them).
 */
export function CloseTabDialog({ tabs, ui, tabId }: { tabs: TabManager; ui: TabsUi; tabId: string }) {
  const { library } = useServices();
  const tab = useStore(tabs.state, (s) => s.tabs.find((t) => t.id === tabId));
  const [problem, setProblem] = useState<string | null>(null);
  if (!tab) return null;
  const check = tabs.closeCheck(tabId);
  const close = () => {
    ui.getState().closeDialog();
    tabs.closeTab(tabId);
  };
  const saveAndClose = async () => {
    if (!library) return;
    if (!tab.savedId) {
      ui.getState().openDialog({ kind: 'save-as', tabId, asNew: true, thenClose: true });
      return;
    }
    const saved = await saveTab(tabs, library, tabId).catch((err: unknown) => setProblem(err instanceof Error ? err.message : String(err)));
    if (!saved) return;
    if (!saved.ok) {
      ui.getState().openDialog({ kind: 'save-as', tabId, asNew: false, refusal: saved, thenClose: true });
      return;
    }
    ui.getState().libraryChanged();
    close();
  };
  return (
    <Modal title={`Close “${tab.title}”?`} testId="close-tab-dialog" className="close-tab-dialog" onClose={() => ui.getState().closeDialog()}>
      <ul className="close-tab-facts">
        {check.dirty && <li data-testid="close-tab-dirty">It has changes that are not saved in your workflows: closing loses them.</li>}
        {check.running && (
          <li data-testid="close-tab-running">
            A run is going in this tab. It keeps running after the tab closes: its paid jobs are collected and their images kept in the cache and the History.
            To stop it, press Stop in the queue first.
          </li>
        )}
        {check.queued > 0 && (
          <li data-testid="close-tab-queued">
            {check.queued === 1 ? 'Its run waiting in the queue is' : `Its ${check.queued} runs waiting in the queue are`} removed: nothing was paid for{' '}
            {check.queued === 1 ? 'it' : 'them'}.
          </li>
        )}
      </ul>
      {problem && (
        <div className="issue error" role="alert">
          The workflow could not be saved: {problem}
        </div>
      )}
      <div className="modal-actions">
        <button type="button" data-testid="close-tab-cancel" onClick={() => ui.getState().closeDialog()}>
          Cancel
        </button>
        {check.dirty && library && (
          <button type="button" data-testid="close-tab-save" onClick={() => void saveAndClose()}>
            Save and close
          </button>
        )}
        <button type="button" className={check.dirty ? 'danger' : 'primary'} data-testid="close-tab-confirm" autoFocus onClick={close}>
          {check.dirty ? 'Close without saving' : 'Close'}
        </button>
      </div>
    </Modal>
  );
}
