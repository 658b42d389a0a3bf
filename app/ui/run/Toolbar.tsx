import { useReactFlow } from '@xyflow/react';
import { useRef } from 'react';
import { useStore } from 'zustand';
import { isRunActive } from '../../store/run-reducer';
import { autoLayout, frameRoom } from '../canvas/layout';
import { FIT_PADDING } from '../canvas/readable-fit';
import { exportWorkflow, newWorkflow } from '../chrome/workflow-files';
import { openWorkflowFile } from '../chrome/open-file';
import { LibraryMenu } from '../library/LibraryMenu';
import { useQueue, useServices, useShownTab, useStudio, useStudioStore, useTabs } from '../studio-context';

/** Top bar: file and template actions, undo/redo, layout, and Run / Run to here / Stop. */
export function Toolbar() {
  const store = useStudioStore();
  const services = useServices();
  const flow = useReactFlow();
  const fileInput = useRef<HTMLInputElement>(null);
  const canUndo = useStore(store.temporal, (t) => t.pastStates.length > 0);
  const canRedo = useStore(store.temporal, (t) => t.futureStates.length > 0);
  const active = useStudio((s) => isRunActive(s.run));
  const stopping = useStudio((s) => s.run.phase === 'stopping');
  const estimating = useStudio((s) => s.estimating);
  const selectedOne = useStudio((s) => (s.selectedNodes.size === 1 ? [...s.selectedNodes][0]! : null));
  const name = useStudio((s) => s.workflow.meta.name ?? 'Untitled');
  const empty = useStudio((s) => s.workflow.nodes.length === 0);
  const tabs = useTabs();
  const seedMode = useShownTab((t) => t?.seedMode);
  // With tabs every run goes through the queue: while one is going (in any tab), Run queues the next.
  const busy = useQueue((q) => q.items.some((i) => i.status === 'running' || i.status === 'pending'));
  const run = (targets?: readonly string[]) => void store.getState().requestRun(targets, seedMode ? { seedMode } : {});

  const layout = async () => {
    const s = store.getState();
    const positions = await autoLayout(s.workflow, s.nodeSizes, { extraHeight: frameRoom(s, services.registry) });
    store.getState().moveNodes(positions);
    requestAnimationFrame(() => void flow.fitView({ padding: FIT_PADDING, maxZoom: 1, duration: 250 }));
  };

  return (
    <header className="toolbar" data-testid="toolbar">
      <div className="brand">
        Sequence Studio{' '}
        <span className="workflow-name" title="Workflow name">
          {name}
        </span>
      </div>
      <div className="toolbar-group">
        <button type="button" data-testid="new-button" onClick={() => newWorkflow(store)}>
          New
        </button>
        <button type="button" data-testid="open-button" onClick={() => fileInput.current?.click()}>
          Open…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="application/json,.json,image/png"
          hidden
          data-testid="open-input"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            // Size-checked, parse-and-migrate; a PNG saved by Save opens the graph it carries.
            if (file) void openWorkflowFile(store, services.registry, file);
          }}
        />
        <button
          type="button"
          data-testid="export-button"
          disabled={empty}
          onClick={() => {
            const { name: fileName, blob } = exportWorkflow(store);
            services.download(fileName, blob);
          }}
        >
          Export
        </button>
        <LibraryMenu />
      </div>
      <div className="toolbar-group">
        <button type="button" data-testid="undo-button" disabled={!canUndo} title="Undo (Ctrl+Z)" onClick={() => store.undo()}>
          ↶ Undo
        </button>
        <button type="button" data-testid="redo-button" disabled={!canRedo} title="Redo (Ctrl+Shift+Z)" onClick={() => store.redo()}>
          ↷ Redo
        </button>
        <button type="button" data-testid="layout-button" disabled={empty} title="Arrange nodes left to right" onClick={() => void layout()}>
          Auto-layout
        </button>
        <button type="button" data-testid="fit-view-button" title="Fit view (.)" onClick={() => store.getState().requestReadableFit()}>
          Fit
        </button>
      </div>
      <div className="toolbar-group run-group">
        <button
          type="button"
          data-testid="run-to-here-button"
          disabled={!selectedOne || (active && !tabs) || estimating}
          title="Run the selected node and what it needs"
          onClick={() => selectedOne && run([selectedOne])}
        >
          Run to here
        </button>
        {active && (
          <button
            type="button"
            className="danger"
            data-testid="stop-button"
            disabled={stopping}
            title="Stop the run: queued paid jobs are cancelled, running ones finish and are billed"
            onClick={() => store.getState().stopRun()}
          >
            {stopping ? 'Stopping…' : '■ Stop'}
          </button>
        )}
        {(!active || tabs) && (
          <button
            type="button"
            className="primary"
            data-testid="run-button"
            disabled={estimating || empty}
            title={busy ? 'Queue the next run, as the graph is now (Ctrl+Enter)' : 'Run (Ctrl+Enter)'}
            onClick={() => run()}
          >
            {estimating ? 'Checking…' : busy ? '▶ Queue' : '▶ Run'}
          </button>
        )}
      </div>
    </header>
  );
}
