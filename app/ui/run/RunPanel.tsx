import { useReactFlow } from '@xyflow/react';
import { memo } from 'react';
import { isRunActive } from '../../store/run-reducer';
import { nodeById } from '../node/node-index';
import { NodeNameLabel } from '../node/NodeName';
import { nodeNames, numberedTitle } from '../node/node-names';
import { useRegistry, useStudio, useStudioStore, useTabs } from '../studio-context';
import { useStore } from 'zustand';
import type { TabManager } from '../../store/tab-manager';
import { StatusBadge, statusTone } from './StatusBadge';
import { formatUsd } from '../../engine/estimate-cost';
import { PaidJobs } from './PaidJobs';
import { QueuePanel } from './QueuePanel';
import { runTally, tallyText } from './run-counts';
import { formatDuration, statusDetail } from './status-text';

const PHASE_TEXT: Record<string, string> = {
  idle: 'Not run yet',
  starting: 'Starting…',
  running: 'Running',
  stopping: 'Stopping…',
  succeeded: 'Finished',
  failed: 'Finished with errors',
  aborted: 'Stopped',
  invalid: 'Not run: fix the errors first',
};

const RunRow = memo(function RunRow({ nodeId }: { nodeId: string }) {
  const registry = useRegistry();
  const flow = useReactFlow();
  const state = useStudio((s) => s.run.nodes[nodeId]);
  const node = useStudio((s) => nodeById(s.workflow.nodes, nodeId));
  // Strings, not the name object: a drag makes new name objects, and a row must not re-render for it.
  const title = useStudio((s) => {
    const name = nodeNames(s.workflow.nodes, registry).get(nodeId);
    return name ? numberedTitle(name) : undefined;
  });
  const hint = useStudio((s) => nodeNames(s.workflow.nodes, registry).get(nodeId)?.hint);
  const store = useStudioStore();
  // Read at render: only "skipped because X failed" needs it, and X's title rarely changes.
  const titleOf = (id: string) => {
    const n = nodeById(store.getState().workflow.nodes, id);
    return n ? (n.title ?? registry.get(n.kind)?.title ?? id) : id;
  };
  if (!state) return null;

  const detail = statusDetail(state, titleOf);
  const tone = statusTone(state);
  return (
    <li className={`run-row status-${tone}`} data-testid={`run-row-${nodeId}`}>
      <button
        type="button"
        className="run-row-title link-button"
        onClick={() => node && void flow.fitView({ nodes: [{ id: nodeId }], duration: 250, maxZoom: 1 })}
      >
        {node && title ? <NodeNameLabel name={{ title, ...(hint ? { hint } : {}) }} /> : 'Deleted node'}
      </button>
      <StatusBadge state={state} />
      {detail && <div className="run-row-detail">{detail}</div>}
    </li>
  );
});

/** " · 2 queued" on the folded panel's tab, while runs wait. */
function QueuedCount({ tabs }: { tabs: TabManager }) {
  const n = useStore(tabs.queue.store, (s) => s.items.filter((i) => i.status === 'pending').length);
  return n ? <> · {n} queued</> : null;
}

/** Every node of the current run with its live state, plus the run's own outcome (and the run queue, with tabs). */
export function RunPanel() {
  const store = useStudioStore();
  const tabs = useTabs();
  const open = useStudio((s) => s.runPanelOpen);
  const run = useStudio((s) => s.run);
  const globalIssues = useStudio((s) => s.analysis.globalIssues);
  if (!open) {
    return (
      <button type="button" className="run-panel-tab" data-testid="run-panel-open" onClick={() => store.getState().setRunPanelOpen(true)}>
        Run ◂{tabs && <QueuedCount tabs={tabs} />}
      </button>
    );
  }
  // After an invalid run every blocking error is listed here; otherwise only those without a node.
  const runIssues = run.issues.filter((i) => i.severity === 'error' && (run.phase === 'invalid' || !i.nodeId));
  return (
    <aside className="run-panel" data-testid="run-panel" data-phase={run.phase} data-run-id={run.runId ?? undefined}>
      <header>
        <h2>Run</h2>
        <span className={`run-phase phase-${run.phase}`} data-testid="run-phase">
          {PHASE_TEXT[run.phase] ?? run.phase}
          {run.durationMs !== undefined && !isRunActive(run) && run.phase !== 'invalid' && ` in ${formatDuration(run.durationMs)}`}
        </span>
        <button type="button" className="icon-button" aria-label="Hide run panel" onClick={() => store.getState().setRunPanelOpen(false)}>
          ▸
        </button>
      </header>
      <QueuePanel />
      {run.counts && (
        <div className="run-counts" data-testid="run-counts">
          {tallyText(runTally(run))}
        </div>
      )}
      {run.failure && <div className="issue error">The run failed: {run.failure}</div>}
      {[...globalIssues, ...runIssues].map((issue, i) => (
        <div key={i} className={`issue ${issue.severity}`} data-testid="run-issue">
          {issue.message}
        </div>
      ))}
      {run.continued && (
        <div className="run-continued" role="status" data-testid="run-continued">
          Continuing the run started before the reload
          {run.estimate?.totalUsd !== undefined ? ` (accepted: up to ${formatUsd(run.estimate.totalUsd)})` : ''}. Its paid jobs are re-attached, never submitted
          again.
        </div>
      )}
      <PaidJobs />
      {run.nodeIds.length === 0 ? (
        <p className="muted">Press Run (Ctrl+Enter) to run every output, or select a node and “Run to here”.</p>
      ) : (
        <ul className="run-list">
          {run.nodeIds.map((id) => (
            <RunRow key={id} nodeId={id} />
          ))}
        </ul>
      )}
    </aside>
  );
}
