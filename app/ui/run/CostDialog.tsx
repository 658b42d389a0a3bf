import { useState } from 'react';
import { formatUsd, type CostEstimate, type CostItem } from '../../engine/estimate-cost';
import { repayCostUsd, totalWithRepay } from '../../store/cost-choice';
import type { RunDraft } from '../../store/queued-run';
import type { PendingRun } from '../../store/run-slice';
import type { Issue } from '../../graph/issues';
import { IssueLine } from '../node/IssueFix';
import { attemptName } from '../node/attempt-name';
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

/** What one table of the dialog shows: a run's plan and estimate. */
type Priced = Pick<PendingRun, 'estimate' | 'plan' | 'workflow'>;

/** The warnings of the run's paid nodes, by node: what the user should see before paying. */
export function paidNodeWarnings(pending: Priced): ReadonlyMap<string, readonly Issue[]> {
  const paid = new Set(pending.estimate.items.map((i) => i.nodeId));
  const found = new Map<string, Issue[]>();
  for (const issue of pending.plan.issues) {
    if (issue.severity !== 'warning' || !issue.nodeId || !paid.has(issue.nodeId)) continue;
    found.set(issue.nodeId, [...(found.get(issue.nodeId) ?? []), issue]);
  }
  return found;
}

function CostRows({ pending, chosen, toggle }: { pending: Priced; chosen: ReadonlySet<string>; toggle(jobId: string): void }) {
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

/** The drafts a pending run consists of: one, or Queue ×N's (each its own snapshot and estimate). */
const draftsOf = (pending: PendingRun): readonly Priced[] =>
  pending.queue?.drafts.filter((d): d is RunDraft & { estimate: CostEstimate } => d.estimate !== undefined) ?? [pending];

function CostTable({
  pending,
  chosen,
  toggle,
  total,
  caption,
}: {
  pending: Priced;
  chosen: ReadonlySet<string>;
  toggle(jobId: string): void;
  total: string;
  caption?: string;
}) {
  return (
    <table className="cost-table">
      {caption && <caption>{caption}</caption>}
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
          <td colSpan={2}>{caption ? 'This run' : 'Total'}</td>
          <td data-testid={caption ? undefined : 'cost-total'}>{total}</td>
        </tr>
      </tfoot>
    </table>
  );
}

/** Sums per-run totals; undefined when any is unknown. */
const sum = (totals: readonly (number | undefined)[]) =>
  totals.every((t) => t !== undefined) ? Math.round(totals.reduce((a, t) => a + t!, 0) * 1e6) / 1e6 : undefined;

function CostDialogBody({ pending }: { pending: PendingRun }) {
  const store = useStudioStore();
  const simulated = useStudio((s) => s.mode === 'simulator');
  const [chosen, setChosen] = useState<ReadonlySet<string>>(() => new Set(pending.repay));
  const drafts = draftsOf(pending);
  const toggle = (jobId: string) =>
    setChosen((old) => {
      const next = new Set(old);
      if (next.has(jobId)) next.delete(jobId);
      else next.add(jobId);
      return next;
    });
  const jobs = drafts.reduce((n, d) => n + d.estimate.paidJobs + d.estimate.blocked.filter((b) => b.job && chosen.has(b.job.jobId)).length, 0);
  const totals = drafts.map((d) => totalWithRepay(d.estimate, chosen));
  const total = sum(totals);
  const { estimate } = pending;
  const flaggedNodes = [...paidNodeWarnings(pending).keys()].filter((id) => estimate.items.some((i) => i.nodeId === id && i.status === 'pay')).length;
  const queued = pending.queue;
  const runs = drafts.length;
  const verb = runs > 1 || queued?.behind || queued?.replaces ? 'Queue' : 'Run';
  const what = runs > 1 ? `${runs} runs (${jobs} paid job${jobs === 1 ? '' : 's'})` : `${jobs} paid job${jobs === 1 ? '' : 's'}`;
  return (
    <div className="modal cost-dialog" role="dialog" aria-modal="true" aria-labelledby="cost-title" data-testid="cost-dialog" data-runs={runs}>
      <h2 id="cost-title">{jobs === 0 ? `${verb} without paying?` : `${verb} ${what}?`}</h2>
      {queued?.behind && !queued.replaces && (
        <p className="queue-note" data-testid="cost-queued-note">
          A run is going: {runs > 1 ? 'these runs wait' : 'this run waits'} in the queue and {runs > 1 ? 'start' : 'starts'} in turn, as the graph is now.
          {runs > 1 ? ' Each' : ' It'} runs only within the cost you accept here.
        </p>
      )}
      {queued?.replaces && (
        <p className="warning-text" data-testid="cost-requeue-note">
          This queued run would now cost more than you accepted (work it expected to reuse is gone). Accept the new cost to keep it in the queue.
        </p>
      )}
      <p className="muted">
        Billing follows the images requested (Max images), not those delivered: this is the most {runs > 1 ? 'they' : 'the run'} can cost.
        {estimate.priceUsd !== undefined && <> Catalog price: {formatUsd(estimate.priceUsd)} per image.</>}
      </p>
      {estimate.priceError && <p className="warning-text">{estimate.priceError}</p>}
      {flaggedNodes > 0 && (
        <p className="warning-text" data-testid="cost-warnings-note">
          {flaggedNodes === 1 ? 'A node you would pay for has' : `${flaggedNodes} nodes you would pay for have`} warnings: read them below before paying.
        </p>
      )}
      {drafts.some((d) => d.estimate.blocked.length > 0) && (
        <p className="warning-text" data-testid="cost-blocked-note">
          Some work may already have been paid for by an earlier attempt. Those nodes (and what they feed) are not run unless you tick “Pay again”.
        </p>
      )}
      {simulated && <p className="sim-note">Simulator mode: nothing is submitted to RunComfy and nothing is charged.</p>}
      {runs === 1 ? (
        <CostTable pending={drafts[0]!} chosen={chosen} toggle={toggle} total={money(total)} />
      ) : (
        <div className="cost-runs" data-testid="cost-runs">
          {drafts.map((d, i) => (
            <div key={i} data-testid={`cost-run-${i + 1}`}>
              <CostTable
                pending={d}
                chosen={chosen}
                toggle={toggle}
                total={money(totals[i])}
                caption={`Run ${i + 1} of ${runs}${pending.queue?.drafts[i]?.seeds.length ? ` — seed ${pending.queue.drafts[i]!.seeds.join(', ')}` : ''}`}
              />
            </div>
          ))}
          <div className="cost-grand-total">
            Total for {runs} runs: <strong data-testid="cost-total">{money(total)}</strong>
          </div>
        </div>
      )}
      <div className="modal-actions">
        <button type="button" data-testid="cost-cancel" onClick={() => store.getState().cancelPendingRun()}>
          Cancel
        </button>
        <button type="button" className="primary" data-testid="cost-confirm" autoFocus onClick={() => void store.getState().confirmRun([...chosen])}>
          {verb}
          {runs > 1 ? ` ${runs} runs` : ''}
          {total !== undefined && jobs > 0 ? ` for up to ${formatUsd(total)}` : ''}
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
