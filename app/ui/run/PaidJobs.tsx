import { memo } from 'react';
import { jobMatters } from '../../store/run-reducer';
import { attemptName } from '../node/attempt-name';
import { useStudio, useStudioStore } from '../studio-context';

/**
 * Paid jobs that are going on or need the user but show on no node (the node was deleted or
 * edited since): followed anyway, never resubmitted. Lost and unknown ones can be dismissed.
 * With tabs, a job of a run started in another tab's document is that tab's, not listed here.
 */
export const PaidJobs = memo(function PaidJobs() {
  const store = useStudioStore();
  const jobs = useStudio((s) => s.jobs);
  const nodes = useStudio((s) => s.run.nodes);
  const documentId = useStudio((s) => s.documentId);
  const onNodes = new Set(Object.values(nodes).flatMap((n) => (n.job ? [n.job.record.jobId] : [])));
  // Only tabs have an elsewhere: without them, what the last document started shows here.
  const elsewhere = (runId: string | undefined) => {
    if (!store.tabs) return false;
    const shot = store.snapshots.forRun(runId);
    return shot?.documentId !== undefined && shot.documentId !== documentId;
  };
  const list = Object.values(jobs)
    .filter((j) => !onNodes.has(j.record.jobId) && jobMatters(j.record) && !j.record.dismissed && !j.record.supersededBy && !elsewhere(j.record.runId))
    .sort((a, b) => a.record.createdAt - b.record.createdAt);
  if (list.length === 0) return null;
  return (
    <section className="paid-jobs" data-testid="paid-jobs">
      <h3>Paid jobs not on a node</h3>
      <ul className="run-list">
        {list.map(({ record: r, message }) => (
          <li key={r.jobId} className="run-row status-billed" data-testid={`paid-job-${r.jobId}`} data-state={r.state}>
            <span className="run-row-title">{r.nodeTitle ?? r.nodeId}</span>
            <span className="status-badge status-billed">{r.state}</span>
            <div className="run-row-detail">
              {attemptName(r)}
              {message ? ` — ${message}` : ''}
            </div>
            {['unknown-submission', 'lost', 'outputs-expired'].includes(r.state) && (
              <button type="button" data-testid={`paid-job-dismiss-${r.jobId}`} onClick={() => void store.getState().dismissJob(r.jobId)}>
                Dismiss
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
});
