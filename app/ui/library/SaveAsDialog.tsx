import { useState } from 'react';
import { saveTab } from '../../store/library-actions';
import type { TabManager } from '../../store/tab-manager';
import { MAX_SAVED_NAME, type SaveRefusal } from '../../store/workflow-library';
import { useServices } from '../studio-context';
import type { TabsDialog, TabsUi } from '../tabs/tabs-ui';
import { Modal } from './Modal';

type SaveAs = Extract<NonNullable<TabsDialog>, { kind: 'save-as' }>;

function RefusalNote({ refusal }: { refusal: SaveRefusal }) {
  const when = new Date(refusal.other.updatedAt).toLocaleString();
  return (
    <div className="issue warning" role="alert" data-testid={`save-refused-${refusal.reason}`}>
      {refusal.reason === 'name-taken'
        ? `A saved workflow is already named “${refusal.other.name}” (saved ${when}). Replace it, or choose another name.`
        : `“${refusal.other.name}” was saved again elsewhere (another window, ${when}) after this tab opened it. Overwrite that with this tab's version, or save this one under another name.`}
    </div>
  );
}

/**
 * Names a workflow for the library (the first Ctrl+S, Save as…), and decides what a refused save
 * does: replace the entry that has the name, overwrite a revision saved elsewhere, or save anew.
 */
export function SaveAsDialog({ tabs, ui, dialog }: { tabs: TabManager; ui: TabsUi; dialog: SaveAs }) {
  const { library } = useServices();
  const store = tabs.storeOf(dialog.tabId);
  const [name, setName] = useState(() => dialog.name ?? store?.getState().workflow.meta.name ?? 'Untitled');
  const [refusal, setRefusal] = useState<SaveRefusal | undefined>(dialog.refusal);
  const [asNew, setAsNew] = useState(dialog.asNew);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!library || !store) return null;

  const save = async (force: boolean, saveAsNew = asNew) => {
    setBusy(true);
    setProblem(null);
    try {
      const result = await saveTab(tabs, library, dialog.tabId, { name, asNew: saveAsNew, force });
      if (!result.ok) {
        setRefusal(result);
        return;
      }
      ui.getState().libraryChanged();
      ui.getState().closeDialog();
      store.getState().notify(`Saved “${result.entry.name}” in your workflows.`);
      if (dialog.thenClose) tabs.closeTab(dialog.tabId);
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const clean = name.trim();
  return (
    <Modal title={asNew ? 'Save workflow as…' : 'Save workflow'} testId="save-as-dialog" className="save-as-dialog" onClose={() => ui.getState().closeDialog()}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (clean) void save(false);
        }}
      >
        <label className="param-label" htmlFor="save-as-name">
          Name
        </label>
        <input
          id="save-as-name"
          className="save-as-name"
          data-testid="save-as-name"
          value={name}
          maxLength={MAX_SAVED_NAME}
          autoFocus
          onFocus={(e) => e.target.select()}
          onChange={(e) => {
            setName(e.target.value);
            if (refusal?.reason === 'name-taken') setRefusal(undefined);
          }}
        />
        <p className="muted">Saved in this browser with your workflows (☰ Workflows, Ctrl+O); Ctrl+S saves it again in place.</p>
        {refusal && <RefusalNote refusal={refusal} />}
        {problem && (
          <div className="issue error" role="alert">
            The workflow could not be saved: {problem}
          </div>
        )}
        <div className="modal-actions">
          <button type="button" onClick={() => ui.getState().closeDialog()}>
            Cancel
          </button>
          {refusal?.reason === 'changed' && (
            <button
              type="button"
              data-testid="save-as-new"
              disabled={busy || !clean}
              onClick={() => {
                setAsNew(true);
                setRefusal(undefined);
                if (clean !== refusal.other.name) void save(false, true);
              }}
            >
              Save as new…
            </button>
          )}
          {refusal ? (
            <button type="button" className="danger" data-testid="save-as-replace" disabled={busy || !clean} onClick={() => void save(true)}>
              {refusal.reason === 'name-taken' ? 'Replace it' : 'Overwrite'}
            </button>
          ) : (
            <button type="submit" className="primary" data-testid="save-as-confirm" disabled={busy || !clean}>
              Save
            </button>
          )}
        </div>
      </form>
    </Modal>
  );
}
