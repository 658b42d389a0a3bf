import { ReactFlowProvider } from '@xyflow/react';
import { lazy, Suspense, useState } from 'react';
import './styles/issues.css';
import { Canvas } from './canvas/Canvas';
import { NoticeToast, SimulatorBanner, StorageWarning } from './chrome/Banners';
import { OtherTabBanner } from './chrome/OtherTabBanner';
import { useClipboard } from './chrome/use-clipboard';
import { useShortcuts } from './chrome/use-shortcuts';
import { Palette } from './palette/Palette';
import { RunPanel } from './run/RunPanel';
import { Toolbar } from './run/Toolbar';
import { useActiveTabId, useStudio, useTabs } from './studio-context';
import { TabBar } from './tabs/TabBar';
import { TabDialogs } from './tabs/TabDialogs';
import { createTabsUi, TabsUiContext, useTabsUi } from './tabs/tabs-ui';
import { ViewportKeeper } from './tabs/ViewportKeeper';

// Drawn only while open, so they load on first use rather than with the editor.
const Lightbox = lazy(() => import('./frames/Lightbox').then((m) => ({ default: m.Lightbox })));
const CostDialog = lazy(() => import('./run/CostDialog').then((m) => ({ default: m.CostDialog })));
const NodeSearch = lazy(() => import('./palette/NodeSearch').then((m) => ({ default: m.NodeSearch })));
const WorkflowSidebar = lazy(() => import('./library/WorkflowSidebar').then((m) => ({ default: m.WorkflowSidebar })));

function Dialogs() {
  const lightbox = useStudio((s) => s.lightbox !== null);
  const cost = useStudio((s) => s.pendingRun !== null);
  const search = useStudio((s) => s.search !== null);
  return (
    <Suspense fallback={null}>
      {search && <NodeSearch />}
      {cost && <CostDialog />}
      {lightbox && <Lightbox />}
    </Suspense>
  );
}

/** The saved-workflows sidebar, loaded when first opened. */
function SidebarSlot() {
  const open = useTabsUi((s) => s.sidebarOpen);
  return open ? (
    <Suspense fallback={null}>
      <WorkflowSidebar />
    </Suspense>
  ) : null;
}

function Editor() {
  useShortcuts();
  useClipboard();
  return (
    <>
      <Toolbar />
      <TabBar />
      <div className="studio-main">
        <SidebarSlot />
        <Palette />
        <Canvas />
        <RunPanel />
      </div>
      <ViewportKeeper />
      <Dialogs />
      <TabDialogs />
      <NoticeToast />
    </>
  );
}

/**
 * The editor. Needs a <StudioProvider> (one store) or a <TabbedStudioProvider> (tabs) around it
 * (see main.tsx). With tabs, the editor below the banners is the shown tab's: it is mounted
 * afresh when another tab is shown, so nothing of one tab's canvas state leaks into the next.
 */
export function App() {
  const tabs = useTabs();
  const activeId = useActiveTabId();
  const [ui] = useState(createTabsUi);
  return (
    <TabsUiContext value={tabs ? ui : null}>
      <div className="studio">
        <SimulatorBanner />
        <StorageWarning />
        <OtherTabBanner />
        <ReactFlowProvider key={activeId}>
          <Editor />
        </ReactFlowProvider>
      </div>
    </TabsUiContext>
  );
}
