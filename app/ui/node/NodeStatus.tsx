import { memo } from 'react';
import { StatusBadge } from '../run/StatusBadge';
import { statusDetail, statusTone, wasStopped } from '../run/status-text';
import { useRegistry, useStudio } from '../studio-context';
import { nodeById } from './node-index';

/** The run state on a node's header: queued with position, running with elapsed time, done… */
export const NodeStatusBadge = memo(function NodeStatusBadge({ nodeId }: { nodeId: string }) {
  const state = useStudio((s) => s.run.nodes[nodeId]);
  if (!state) return null;
  return <StatusBadge state={state} testId={`node-status-${nodeId}`} />;
});

/** The sentence under a node saying what went wrong (which field, which API error), what it waits for, or what its job costs. */
export const NodeRunMessage = memo(function NodeRunMessage({ nodeId }: { nodeId: string }) {
  const state = useStudio((s) => s.run.nodes[nodeId]);
  const registry = useRegistry();
  const becauseTitle = useStudio((s) => {
    const n = state?.because ? nodeById(s.workflow.nodes, state.because) : undefined;
    return n ? (n.title ?? registry.get(n.kind)?.title) : undefined;
  });
  if (!state) return null;
  const text = statusDetail(state, (id) => becauseTitle ?? id);
  if (!text) return null;
  const tone = statusTone(state);
  const cls = tone === 'error' ? 'error' : tone === 'billed' || tone === 'warning' ? 'billed' : 'info';
  const code = state.status === 'error' && !wasStopped(state) && tone === 'error' ? state.error?.code : undefined;
  return (
    <div className={`node-run-message ${cls}`} data-testid={`node-message-${nodeId}`}>
      {code && <span className="error-code">{code}</span>}
      {text}
    </div>
  );
});
