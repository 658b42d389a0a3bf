import { memo, useState } from 'react';
import { missingOutputs, REPAY_STATES, type JobRecord } from '../../ledger';
import { useStudio, useStudioStore } from '../studio-context';

const when = (ms: number | undefined) => (ms === undefined ? 'an unknown time' : new Date(ms).toLocaleString());
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
/** How the earlier attempt is named to the user: its request id when it has one, else the ledger's job id. */
export { attemptName } from './attempt-name';
import { attemptName } from './attempt-name';

const HEADLINE: Record<string, string> = {
  'unknown-submission': 'An earlier submit of this work may have been created and billed: its reply never arrived.',
  'outputs-expired': 'This work was billed, but its images expired before they could be fetched.',
  lost: 'The API no longer knows this request: its images are lost. It may have been billed.',
};

/** What was sent, in one line: when, the prompt, references and the most images it could bill for. */
function sentLine(r: JobRecord): string {
  const prompt = r.sent.prompt.length > 90 ? `${r.sent.prompt.slice(0, 90)}…` : r.sent.prompt;
  return `Sent ${when(r.submittedAt ?? r.createdAt)}: “${prompt}”, ${plural(r.referenceHashes.length, 'reference')}, up to ${plural(r.maxOutputs, 'image')}.`;
}

/** A partial job: which images are missing (with their URLs), and the free re-fetch. */
function PartialNotice({ nodeId, record }: { nodeId: string; record: JobRecord }) {
  const store = useStudioStore();
  const [busy, setBusy] = useState(false);
  const missing = missingOutputs(record);
  return (
    <div className="node-job warning nodrag" role="status" data-testid={`node-job-${nodeId}`}>
      <div>
        {attemptName(record)} finished (billed), but {plural(missing.length, 'image')} of {record.outputs.length} could not be fetched:
      </div>
      <ul className="node-job-missing">
        {missing.map((o) => (
          <li key={o.index}>
            #{o.index + 1} <code title={o.url}>{o.url}</code>
            {o.error ? ` — ${o.error}` : ''}
          </li>
        ))}
      </ul>
      <button
        type="button"
        data-testid={`fetch-missing-${nodeId}`}
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void store
            .getState()
            .fetchMissing(record.jobId)
            .finally(() => setBusy(false));
        }}
      >
        {busy ? 'Fetching…' : 'Fetch missing images (free)'}
      </button>
    </div>
  );
}

/** An earlier attempt that blocks paying again: what is known about it, and the explicit choice. */
function RepayNotice({ nodeId, record }: { nodeId: string; record: JobRecord }) {
  const store = useStudioStore();
  const busy = useStudio((s) => s.estimating || s.pendingRun !== null || ['starting', 'running', 'stopping'].includes(s.run.phase));
  return (
    <div className="node-job danger nodrag" role="alert" data-testid={`node-job-${nodeId}`}>
      <div className="node-job-headline">{HEADLINE[record.state]}</div>
      <div className="node-job-facts">
        {record.requestId ? (
          <>
            Request <code>{record.requestId}</code> ·{' '}
          </>
        ) : (
          'No request id was received · '
        )}
        job <code>{record.jobId}</code>
      </div>
      <div className="node-job-facts">{sentLine(record)}</div>
      <div className="node-job-facts muted">It is never paid for again on its own. Check your RunComfy request history before paying again.</div>
      <div className="node-job-actions">
        {record.state === 'outputs-expired' && (
          <button type="button" data-testid={`fetch-missing-${nodeId}`} onClick={() => void store.getState().fetchMissing(record.jobId)}>
            Try fetching again (free)
          </button>
        )}
        <button
          type="button"
          className="danger"
          data-testid={`pay-again-${nodeId}`}
          disabled={busy}
          onClick={() => void store.getState().payAgain(nodeId, record.jobId)}
        >
          Pay again (instead of {attemptName(record)})
        </button>
        <button type="button" data-testid={`job-dismiss-${nodeId}`} onClick={() => void store.getState().dismissJob(record.jobId)}>
          Dismiss
        </button>
      </div>
    </div>
  );
}

/**
 * Under a paid node whose job needs the user: a partial result (missing images, free re-fetch),
 * or an earlier attempt that may have been billed (unknown submission, expired images, lost) with
 * "Pay again" — never automatic — and Dismiss.
 */
export const JobNotice = memo(function JobNotice({ nodeId }: { nodeId: string }) {
  const record = useStudio((s) => s.run.nodes[nodeId]?.job?.record);
  if (!record) return null;
  if (record.partial && (record.state === 'stored' || record.state === 'completed') && missingOutputs(record).length > 0) {
    return <PartialNotice nodeId={nodeId} record={record} />;
  }
  if (REPAY_STATES.has(record.state) && !record.supersededBy && !record.dismissed) return <RepayNotice nodeId={nodeId} record={record} />;
  return null;
});
