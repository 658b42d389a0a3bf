import { useState } from 'react';
import { formatUsd, type CostEstimate, type CostItem } from '../../engine/estimate-cost';
import { repayCostUsd, totalWithRepay } from '../../store/cost-choice';
import type { PendingRun } from '../../store/run-slice';
import type { Issue } from '../../graph/issues';
import { IssueLine } from '../node/IssueFix';
import { attemptName } from '../node/JobNotice';
import { NodeNameLabel } from '../node/NodeName';
import { nodeNames } from '../node/node-names';
import { useRegistry, useStudio, useStudioStore } from '../studio-context';

const money = (usd: number | undefined) => (usd === undefined ? 'unknown' : formatUsd(usd));

/** Why an earlier attempt blocks paying again, in a few words. */
const BLOCKED_REASON: Record<string, string> = {
  'unknown-submission': 'an earlier submit got no reply: it may have been created and billed',
  'outputs-expired': 'an earlier job was billed but its images expired',
  lost: 'an earlier request is no longer known to the API: it may have been billed',
};

function costCell(item: CostItem, estimate: CostEstimate, chosen: boolean): string {
  switch (item.status) {
    case 'pay':
      return money(item.costUsd);
    case 'cached':
      return '$0.00 (cached)';
    case 'stored':
      return '$0.00 (stored: reused)';
    case 'in-flight':
      return '$0.00 (already running: joined)';
    case 'partial':
      return '$0.00 (fetch missing, free)';
    case 'blocked':
      return chosen ? `${money(repayCostUsd(estimate, item))} (paid again)` : 'not run';
    case 'bypassed':
    case 'muted':
      return `$0.00 (${item.status}: not run)`;
  }
}

/** The warnings of the run's paid nodes, by node: what the user should see before paying. */
export function paidNodeWarnings(pending: PendingRun): ReadonlyMap<string, readonly Issue[]> {
  const paid = new Set(pending.estimate.items.map((i) => i.nodeId));
  const found = new Map<string, Issue[]>();
  for (const issue of pending.plan.issues) {
    if (issue.severity !== 'warning' || !issue.nodeId || !paid.has(issue.nodeId)) continue;
    found.set(issue.nodeId, [...(found.get(issue.nodeId) ?? []), issue]);
  }
  return found;
}

function CostRows({ pending, chosen, toggle }: { pending: PendingRun; chosen: ReadonlySet<string>; toggle(jobId: string): void }) {
  const jobs = useStudio((s) => s.jobs);
  const registry = useRegistry();
  const names = nodeNames(pending.workflow.nodes, registry);
  const warnings = paidNodeWarnings(pending);
  const { estimate } = pending;
  return (
    <tbody>
      {estimate.items.map((item) => {
        const job = item.job;
        const record = job ? jobs[job.jobId]?.record : undefined;
        const name = job ? attemptName({ jobId: job.jobId, ...(job.requestId ? { requestId: job.requestId } : {}) }) : '';
        const nodeName = names.get(item.nodeId);
        const flagged = warnings.get(item.nodeId) ?? [];
        return (
          <tr
            key={item.nodeId}
            data-testid={`cost-row-${item.nodeId}`}
            data-status={item.status}
            className={`${item.status === 'blocked' ? 'blocked' : item.cached ? 'cached' : ''} ${flagged.length ? 'flagged' : ''}`}
          >
            <td>
              {nodeName ? <NodeNameLabel name={nodeName} /> : item.title}
              {flagged.length > 0 && item.status === 'pay' && (
                <div className="cost-warnings" data-testid={`cost-warnings-${item.nodeId}`}>
                  {flagged.map((issue, i) => (
                    <IssueLine key={i} nodeId={item.nodeId} issue={issue} testPrefix="cost-fix" />
                  ))}
                </div>
              )}
              {item.status === 'blocked' && job && (
                <div className="cost-reason">
                  {BLOCKED_REASON[job.state] ?? `an earlier attempt (${job.state}) may have been billed`} — {name}
                  {record ? `, sent ${new Date(record.submittedAt ?? record.createdAt).toLocaleString()}` : ''}.
                  <label className="cost-repay">
                    <input type="checkbox" data-testid={`cost-repay-${item.nodeId}`} checked={chosen.has(job.jobId)} onChange={() => toggle(job.jobId)} /> Pay
                    again instead of {name}
                  </label>
                </div>
              )}
            </td>
            <td>{item.maxOutputs}</td>
            <td>{costCell(item, estimate, job !== undefined && chosen.has(job.jobId))}</td>
          </tr>
        );
      })}
    </tbody>
  );
}

function CostDialogBody({ pending }: { pending: PendingRun }) {
  const store = useStudioStore();
  const simulated = useStudio((s) => s.mode === 'simulator');
  const [chosen, setChosen] = useState<ReadonlySet<string>>(() => new Set(pending.repay));
  const { estimate } = pending;
  const toggle = (jobId: string) =>
    setChosen((old) => {
      const next = new Set(old);
      if (next.has(jobId)) next.delete(jobId);
      else next.add(jobId);
      return next;
    });
  const repaid = estimate.blocked.filter((b) => b.job && chosen.has(b.job.jobId)).length;
  const jobs = estimate.paidJobs + repaid;
  const total = totalWithRepay(estimate, chosen);
  const flaggedNodes = [...paidNodeWarnings(pending).keys()].filter((id) => estimate.items.some((i) => i.nodeId === id && i.status === 'pay')).length;
  return (
    <div className="modal cost-dialog" role="dialog" aria-modal="true" aria-labelledby="cost-title" data-testid="cost-dialog">
      <h2 id="cost-title">{jobs === 0 ? 'Run without paying?' : `Run ${jobs} paid job${jobs === 1 ? '' : 's'}?`}</h2>
      <p className="muted">
        Billing follows the images requested (Max images), not those delivered: this is the most the run can cost.
        {estimate.priceUsd !== undefined && <> Catalog price: {formatUsd(estimate.priceUsd)} per image.</>}
      </p>
      {estimate.priceError && <p className="warning-text">{estimate.priceError}</p>}
      {flaggedNodes > 0 && (
        <p className="warning-text" data-testid="cost-warnings-note">
          {flaggedNodes === 1 ? 'A node you would pay for has' : `${flaggedNodes} nodes you would pay for have`} warnings: read them below before paying.
        </p>
      )}
      {estimate.blocked.length > 0 && (
        <p className="warning-text" data-testid="cost-blocked-note">
          Some work may already have been paid for by an earlier attempt. Those nodes (and what they feed) are not run unless you tick “Pay again”.
        </p>
      )}
      {simulated && <p className="sim-note">Simulator mode: nothing is submitted to RunComfy and nothing is charged.</p>}
      <table className="cost-table">
        <thead>
          <tr>
            <th>Node</th>
            <th>Max images</th>
            <th>Cost</th>
          </tr>
        </thead>
        <CostRows pending={pending} chosen={chosen} toggle={toggle} />
        <tfoot>
          <tr>
            <td colSpan={2}>Total</td>
            <td data-testid="cost-total">{money(total)}</td>
          </tr>
        </tfoot>
      </table>
      <div className="modal-actions">
        <button type="button" data-testid="cost-cancel" onClick={() => store.getState().cancelPendingRun()}>
          Cancel
        </button>
        <button type="button" className="primary" data-testid="cost-confirm" autoFocus onClick={() => void store.getState().confirmRun([...chosen])}>
          Run{total !== undefined && jobs > 0 ? ` for up to ${formatUsd(total)}` : ''}
        </button>
      </div>
    </div>
  );
}

/**
 * Shown before a run that submits paid jobs, or whose work an earlier attempt may already have
 * been billed for: per paid node what running it costs (catalog price × Max images, or $0 when
 * it is cached, stored, already running, or only missing images), earlier attempts with a
 * "Pay again" choice (unticked: that node is not run), and the total. Runs only on confirm.
 */
export function CostDialog() {
  const pending = useStudio((s) => s.pendingRun);
  if (!pending) return null;
  return (
    <div className="modal-backdrop">
      <CostDialogBody pending={pending} />
    </div>
  );
}
