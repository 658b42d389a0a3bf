import { ReactFlowProvider } from '@xyflow/react';
import './styles/issues.css';
import { Canvas } from './canvas/Canvas';
import { NoticeToast, SimulatorBanner, StorageWarning } from './chrome/Banners';
import { OtherTabBanner } from './chrome/OtherTabBanner';
import { useClipboard } from './chrome/use-clipboard';
import { useShortcuts } from './chrome/use-shortcuts';
import { Lightbox } from './frames/Lightbox';
import { NodeSearch } from './palette/NodeSearch';
import { Palette } from './palette/Palette';
import { CostDialog } from './run/CostDialog';
import { RunPanel } from './run/RunPanel';
import { Toolbar } from './run/Toolbar';

function Editor() {
  useShortcuts();
  useClipboard();
  return (
    <div className="studio">
      <SimulatorBanner />
      <StorageWarning />
      <OtherTabBanner />
      <Toolbar />
      <div className="studio-main">
        <Palette />
        <Canvas />
        <RunPanel />
      </div>
      <NodeSearch />
      <CostDialog />
      <Lightbox />
      <NoticeToast />
    </div>
  );
}

/** The editor. Needs a <StudioProvider> around it (see main.tsx). */
export function App() {
  return (
    <ReactFlowProvider>
      <Editor />
    </ReactFlowProvider>
  );
}
