import { useMemo, useRef, useState } from 'react';
import type { TabManager } from '../../store/tab-manager';
import { searchSaved } from '../../store/workflow-library';
import { openWorkflowFile } from '../chrome/open-file';
import { useServices, useStudioStore } from '../studio-context';
import type { TabsUi } from '../tabs/tabs-ui';
import { Modal } from './Modal';
import { openSavedEntry } from './open-saved';
import { savedWhen, useSavedWorkflows } from './use-saved-workflows';

/**
 * Ctrl+O: the saved workflows, filtered as you type (↑/↓ to choose, Enter to open); each opens
 * in a tab of its own, or shows the tab already editing it. Files open from here too.
 */
export function OpenWorkflowDialog({ tabs, ui }: { tabs: TabManager; ui: TabsUi }) {
  const services = useServices();
  const store = useStudioStore();
  const { entries, error } = useSavedWorkflows(services.library);
  const [query, setQuery] = useState('');
  const [chosen, setChosen] = useState(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const found = useMemo(() => searchSaved(entries ?? [], query), [entries, query]);
  const close = () => ui.getState().closeDialog();
  const open = (i: number) => {
    const entry = found[i];
    if (entry && openSavedEntry(tabs, entry)) close();
  };
  return (
    <Modal title="Open a workflow" testId="open-workflow-dialog" className="open-workflow-dialog" onClose={close}>
      <input
        className="open-workflow-search"
        data-testid="open-workflow-search"
        placeholder="Search your saved workflows…"
        value={query}
        autoFocus
        onChange={(e) => {
          setQuery(e.target.value);
          setChosen(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            setChosen((c) => Math.max(0, Math.min(found.length - 1, c + (e.key === 'ArrowDown' ? 1 : -1))));
          } else if (e.key === 'Enter') {
            e.preventDefault();
            open(chosen);
          }
        }}
      />
      {error && (
        <div className="issue error" role="alert">
          {error}
        </div>
      )}
      {!services.library && <p className="muted">Browser storage is unavailable: workflows cannot be saved here. Open a file instead.</p>}
      {entries === null ? (
        <p className="muted">Loading…</p>
      ) : found.length === 0 ? (
        <p className="muted" data-testid="open-workflow-empty">
          {entries.length === 0 ? 'No saved workflows yet: Ctrl+S saves the one you are editing.' : `No saved workflow matches “${query}”.`}
        </p>
      ) : (
        <ul className="open-workflow-list" role="listbox" aria-label="Saved workflows">
          {found.map((e, i) => (
            <li key={e.id} role="option" aria-selected={i === chosen}>
              <button
                type="button"
                className={`open-workflow-item ${i === chosen ? 'chosen' : ''}`}
                data-testid={`open-workflow-${e.id}`}
                onMouseEnter={() => setChosen(i)}
                onClick={() => open(i)}
              >
                <span className="open-workflow-name">{e.name}</span>
                {tabs.tabOfSaved(e.id) && <span className="tag">open</span>}
                <span className="muted">{savedWhen(e.updatedAt)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="modal-actions">
        <button type="button" data-testid="open-workflow-file" onClick={() => fileInput.current?.click()}>
          Open a file…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="application/json,.json,image/png"
          hidden
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void openWorkflowFile(store, services.registry, file).then((ok) => ok && close());
          }}
        />
      </div>
    </Modal>
  );
}
