import { memo } from 'react';
import { nodeById } from '../node/node-index';
import { useRegistry, useStudio, useStudioStore } from '../studio-context';
import { statusLabel } from './status-text';
import { viewOf } from '../../store/resumed-jobs';

/**
 * Paid jobs from before the last reload: re-attached ones with their live state, and lost ones
 * (with Dismiss). Jobs whose node is gone are only shown here.
 */
export const ResumedJobs = memo(function ResumedJobs() {
  const store = useStudioStore();
  const registry = useRegistry();
  const jobs = useStudio((s) => s.resumedJobs);
  const lost = useStudio((s) => s.lostJobs);
  const nodes = useStudio((s) => s.workflow.nodes);
  const list = Object.values(jobs).sort((a, b) => a.submittedAt - b.submittedAt);
  if (list.length === 0 && lost.length === 0) return null;
  const titleOf = (id: string | undefined) => {
    const n = id ? nodeById(nodes, id) : undefined;
    return n ? (n.title ?? registry.get(n.kind)?.title ?? n.id) : 'no node in this workflow';
  };
  return (
    <section className="resumed-jobs" data-testid="resumed-jobs">
      <h3>Paid jobs from before the reload</h3>
      <ul className="run-list">
        {list.map((job) => {
          const view = viewOf(job);
          return (
            <li key={job.requestId} className={`run-row status-${view.status}`} data-testid={`resumed-${job.requestId}`} data-status={job.status}>
              <span className="run-row-title">{titleOf(job.nodeId)}</span>
              <span className={`status-badge status-${view.status}`}>{statusLabel(view)}</span>
              <div className="run-row-detail">
                request <code>{job.requestId}</code>
                {!job.nodeId && job.status === 'done' ? ' — its images are stored in the result cache.' : ''}
              </div>
            </li>
          );
        })}
        {lost.map((job) => (
          <li key={job.requestId} className="run-row status-error" data-testid={`lost-${job.requestId}`}>
            <span className="run-row-title">{titleOf(job.nodeId)}</span>
            <span className="status-badge status-error">lost</span>
            <div className="run-row-detail" title={job.detail}>
              {job.message}
            </div>
            <button type="button" data-testid={`lost-dismiss-row-${job.requestId}`} onClick={() => void store.getState().dismissLost(job.requestId)}>
              Dismiss
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
});
