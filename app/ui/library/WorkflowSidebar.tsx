import { useMemo, useState } from 'react';
import { useStore } from 'zustand';
import { deleteSaved, renameSavedInTabs } from '../../store/library-actions';
import type { TabManager } from '../../store/tab-manager';
import { searchSaved, type SavedWorkflow, type WorkflowLibrary } from '../../store/workflow-library';
import { useServices, useTabs } from '../studio-context';
import { useTabsUi, useTabsUiStore, type TabsUi } from '../tabs/tabs-ui';
import { saveShownTab } from './save-workflow';
import { openSavedEntry, savedFile } from './open-saved';
import { savedWhen, useSavedWorkflows } from './use-saved-workflows';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function Row({
  entry,
  tabs,
  ui,
  library,
  onDeleted,
}: {
  entry: SavedWorkflow;
  tabs: TabManager;
  ui: TabsUi;
  library: WorkflowLibrary;
  onDeleted(undo: () => Promise<void>, name: string): void;
}) {
  const services = useServices();
  const [renaming, setRenaming] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const openHere = useStore(tabs.state, (s) => s.tabs.find((t) => t.savedId === entry.id)?.id === s.activeId);
  const openAnywhere = useStore(tabs.state, (s) => s.tabs.some((t) => t.savedId === entry.id));

  const rename = async () => {
    const name = renaming?.trim();
    setRenaming(null);
    if (!name || name === entry.name) return;
    try {
      const result = await renameSavedInTabs(tabs, library, entry.id, name);
      if ('ok' in result) setProblem(`Another saved workflow is named “${result.other.name}”.`);
      else ui.getState().libraryChanged();
    } catch (err) {
      setProblem(`Not renamed: ${message(err)}`);
    }
  };
  const remove = async () => {
    try {
      const deleted = await deleteSaved(tabs, library, entry.id);
      ui.getState().libraryChanged();
      if (deleted) onDeleted(deleted.undo, entry.name);
    } catch (err) {
      setProblem(`Not deleted: ${message(err)}`);
    }
  };

  return (
    <li className={`saved-row ${openHere ? 'shown' : ''}`} data-testid={`saved-${entry.id}`} data-name={entry.name}>
      {renaming !== null ? (
        <input
          className="saved-rename"
          data-testid={`saved-rename-input-${entry.id}`}
          value={renaming}
          autoFocus
          onChange={(e) => setRenaming(e.target.value)}
          onBlur={() => void rename()}
          onKeyDown={(e) => {
            if (e.key === 'Enter') void rename();
            else if (e.key === 'Escape') {
              e.stopPropagation();
              setRenaming(null);
            }
          }}
        />
      ) : (
        <button
          type="button"
          className="saved-open link-button"
          data-testid={`saved-open-${entry.id}`}
          title="Open in a tab"
          onClick={() => openSavedEntry(tabs, entry)}
        >
          {entry.name}
        </button>
      )}
      <div className="saved-meta muted">
        {savedWhen(entry.updatedAt)}
        {openAnywhere && <span className="tag">open</span>}
      </div>
      <div className="saved-actions">
        <button
          type="button"
          className="icon-button"
          title="Rename"
          aria-label={`Rename ${entry.name}`}
          data-testid={`saved-rename-${entry.id}`}
          onClick={() => setRenaming(entry.name)}
        >
          ✎
        </button>
        <button
          type="button"
          className="icon-button"
          title="Export as a .json file"
          aria-label={`Export ${entry.name}`}
          data-testid={`saved-export-${entry.id}`}
          onClick={() => {
            const file = savedFile(entry);
            services.download(file.name, file.blob);
          }}
        >
          ⤓
        </button>
        <button
          type="button"
          className="icon-button"
          title="Delete (can be undone)"
          aria-label={`Delete ${entry.name}`}
          data-testid={`saved-delete-${entry.id}`}
          onClick={() => void remove()}
        >
          ✕
        </button>
      </div>
      {problem && (
        <div className="issue error saved-problem" role="alert">
          {problem}
        </div>
      )}
    </li>
  );
}

function Sidebar({ tabs, ui, library }: { tabs: TabManager; ui: TabsUi; library: WorkflowLibrary }) {
  const { entries, error } = useSavedWorkflows(library);
  const [query, setQuery] = useState('');
  const [deleted, setDeleted] = useState<{ name: string; undo: () => Promise<void> } | null>(null);
  const found = useMemo(() => searchSaved(entries ?? [], query), [entries, query]);
  return (
    <aside className="workflow-sidebar" data-testid="workflow-sidebar" aria-label="Your saved workflows">
      <header>
        <h2>Workflows</h2>
        <span className="sidebar-save">
          <button type="button" data-testid="sidebar-save" title="Save the shown workflow (Ctrl+S)" onClick={() => void saveShownTab(tabs, ui, library)}>
            Save
          </button>
          <button
            type="button"
            data-testid="sidebar-save-as"
            title="Save the shown workflow under another name (Ctrl+Shift+S)"
            onClick={() => void saveShownTab(tabs, ui, library, true)}
          >
            Save as…
          </button>
        </span>
      </header>
      <input
        className="palette-search"
        data-testid="sidebar-search"
        placeholder="Search saved workflows…"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      {deleted && (
        <div className="saved-undo" role="status" data-testid="saved-undo-bar">
          Deleted “{deleted.name}”.
          <button
            type="button"
            data-testid="saved-undo"
            onClick={() => {
              setDeleted(null);
              void deleted.undo().then(() => ui.getState().libraryChanged());
            }}
          >
            Undo
          </button>
        </div>
      )}
      {error && (
        <div className="issue error" role="alert">
          {error}
        </div>
      )}
      {entries === null ? (
        <p className="muted">Loading…</p>
      ) : found.length === 0 ? (
        <p className="muted" data-testid="sidebar-empty">
          {entries.length === 0 ? 'Nothing saved yet. Ctrl+S saves the workflow you are editing, by name.' : 'No saved workflow matches.'}
        </p>
      ) : (
        <ul className="saved-list">
          {found.map((e) => (
            <Row key={e.id} entry={e} tabs={tabs} ui={ui} library={library} onDeleted={(undo, name) => setDeleted({ undo, name })} />
          ))}
        </ul>
      )}
    </aside>
  );
}

/** The saved workflows beside the canvas (☰ Workflows): open in a tab, rename, export, delete with undo. */
export function WorkflowSidebar() {
  const tabs = useTabs();
  const ui = useTabsUiStore();
  const { library } = useServices();
  const open = useTabsUi((s) => s.sidebarOpen);
  return open && tabs && ui && library ? <Sidebar tabs={tabs} ui={ui} library={library} /> : null;
}
