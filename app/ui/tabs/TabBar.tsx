import { memo, useState, type DragEvent } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { StudioStore } from '../../store/create-store';
import { isRunActive } from '../../store/run-reducer';
import type { TabInfo, TabManager } from '../../store/tab-manager';
import { useTabs } from '../studio-context';
import { requestCloseTab } from './close-tab';
import { useTabsUi, useTabsUiStore, type TabsUi } from './tabs-ui';

const TAB_MIME = 'application/x-sequence-studio-tab';

const PHASE_BADGE: Record<string, { text: string; tone: string; title: string }> = {
  starting: { text: '●', tone: 'running', title: 'A run is starting in this tab' },
  running: { text: '●', tone: 'running', title: 'A run is going in this tab' },
  stopping: { text: '●', tone: 'stopping', title: 'Stopping the run of this tab' },
  failed: { text: '!', tone: 'failed', title: 'The last run of this tab finished with errors' },
};

/** A tab's run, as its badge: its store is followed even while another tab is shown. */
function RunBadge({ store, tabs, tabId }: { store: StudioStore; tabs: TabManager; tabId: string }) {
  const phase = useStore(store, (s) => (isRunActive(s.run) ? s.run.phase : s.run.phase === 'failed' ? 'failed' : 'idle'));
  const waiting = useStore(tabs.queue.store, (q) => q.items.filter((i) => i.tabId === tabId && (i.status === 'pending' || i.status === 'needs-ok')).length);
  const badge = PHASE_BADGE[phase];
  return (
    <>
      {badge && (
        <span className={`tab-badge tone-${badge.tone}`} title={badge.title} data-testid={`tab-run-${tabId}`} data-phase={phase}>
          {badge.text}
        </span>
      )}
      {waiting > 0 && (
        <span className="tab-queued" title={`${waiting} run${waiting === 1 ? '' : 's'} of this tab waiting in the queue`} data-testid={`tab-queued-${tabId}`}>
          +{waiting}
        </span>
      )}
    </>
  );
}

const Tab = memo(function Tab({ tab, active, tabs, ui }: { tab: TabInfo; active: boolean; tabs: TabManager; ui: TabsUi }) {
  const store = tabs.storeOf(tab.id);
  const [over, setOver] = useState(false);
  const onDrop = (e: DragEvent) => {
    setOver(false);
    const id = e.dataTransfer.getData(TAB_MIME);
    if (!id || id === tab.id) return;
    e.preventDefault();
    const order = tabs.state.getState().tabs.map((t) => t.id);
    tabs.moveTab(id, order.indexOf(tab.id));
  };
  return (
    <div
      role="tab"
      aria-selected={active}
      tabIndex={active ? 0 : -1}
      className={`tab ${active ? 'active' : ''} ${over ? 'drop-target' : ''}`}
      data-testid={`tab-${tab.id}`}
      data-title={tab.title}
      title={`${tab.title}${tab.dirty ? ' (unsaved changes)' : ''}${tab.savedId ? '' : ' — not saved in your workflows'}`}
      draggable
      onDragStart={(e) => {
        e.dataTransfer.setData(TAB_MIME, tab.id);
        e.dataTransfer.effectAllowed = 'move';
      }}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes(TAB_MIME)) return;
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      onMouseDown={(e) => {
        // Middle-click closes, as in browsers; the default (autoscroll) is not wanted here.
        if (e.button === 1) e.preventDefault();
      }}
      onAuxClick={(e) => {
        if (e.button === 1) requestCloseTab(tabs, ui, tab.id);
      }}
      onClick={() => tabs.activate(tab.id)}
    >
      <span className="tab-title">{tab.title}</span>
      {tab.dirty && (
        <span className="tab-dirty" title="Unsaved changes" data-testid={`tab-dirty-${tab.id}`}>
          •
        </span>
      )}
      {store && <RunBadge store={store} tabs={tabs} tabId={tab.id} />}
      <button
        type="button"
        className="icon-button tab-close"
        aria-label={`Close ${tab.title}`}
        data-testid={`tab-close-${tab.id}`}
        onClick={(e) => {
          e.stopPropagation();
          requestCloseTab(tabs, ui, tab.id);
        }}
      >
        ✕
      </button>
    </div>
  );
});

function TabBarBody({ tabs, ui }: { tabs: TabManager; ui: TabsUi }) {
  const list = useStore(
    tabs.state,
    useShallow((s) => s.tabs),
  );
  const activeId = useStore(tabs.state, (s) => s.activeId);
  const sidebarOpen = useTabsUi((s) => s.sidebarOpen);
  return (
    <nav className="tab-bar" data-testid="tab-bar">
      <button
        type="button"
        className={`sidebar-toggle ${sidebarOpen ? 'on' : ''}`}
        data-testid="sidebar-toggle"
        title="Your saved workflows (Ctrl+S saves, Ctrl+O opens)"
        aria-pressed={sidebarOpen}
        onClick={() => ui.getState().setSidebarOpen(!sidebarOpen)}
      >
        ☰ Workflows
      </button>
      <div className="tab-list" role="tablist" aria-label="Open workflows">
        {list.map((t) => (
          <Tab key={t.id} tab={t} active={t.id === activeId} tabs={tabs} ui={ui} />
        ))}
      </div>
      <button
        type="button"
        className="icon-button tab-new"
        data-testid="tab-new"
        title="A new empty workflow in a tab of its own"
        onClick={() => tabs.newTab()}
      >
        +
      </button>
    </nav>
  );
}

/**
 * The open workflows as tabs: click to show, drag to reorder, ✕ or middle-click to close (it asks
 * when something would be lost or is going), + for a new one. Each tab shows its own run and
 * how many of its runs wait in the queue, even while another tab is shown.
 */
export function TabBar() {
  const tabs = useTabs();
  const ui = useTabsUiStore();
  return tabs && ui ? <TabBarBody tabs={tabs} ui={ui} /> : null;
}
