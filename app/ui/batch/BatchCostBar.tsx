import { useShallow } from 'zustand/react/shallow';
import { formatUsd } from '../../engine/estimate-cost';
import { checkReady, type BatchCheck } from '../../store/batch-check';
import { parseCap } from '../../store/batch-session';
import { useBatchStore, useSession } from './use-batch';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function costLine(c: BatchCheck): string {
  if (c.toRun === 0) return c.blocked.length ? 'Nothing runs until you choose Pay again below.' : 'Nothing to run: every row is done.';
  const price =
    c.paidJobs === 0
      ? '$0 (nothing is submitted)'
      : c.maxUsd !== undefined
        ? `Up to ${formatUsd(c.maxUsd)}`
        : `Price unknown${c.priceError ? ` (${c.priceError})` : ''}`;
  const parts = [
    `${price}${c.paidJobs ? ` for ${plural(c.paidJobs, 'paid job')}` : ''} in ${plural(c.toRun, 'row')}`,
    ...(c.reusedJobs ? [`${plural(c.reusedJobs, 'job')} reused at $0 (stored, cached or in flight)`] : []),
    ...(c.doneRows ? [`${plural(c.doneRows, 'row')} done earlier`] : []),
  ];
  return `${parts.join('; ')}.`;
}

function CapNote({ maxUsd, room, cap }: { maxUsd: number; room: number; cap: number }) {
  return maxUsd <= room + 1e-9 ? (
    <span className="batch-cap-ok" data-testid="batch-cap-note">
      {' '}
      Within the {formatUsd(cap)} cap.
    </span>
  ) : (
    <span className="warning-text" data-testid="batch-cap-note">
      {' '}
      Over the {formatUsd(cap)} cap{room < cap ? ` (${formatUsd(room)} of it is left)` : ''}: raise it or remove rows to start.
    </span>
  );
}

/**
 * Cost first: Check (every row dry-run, images decoded, nothing paid), then what the batch can
 * cost at most (cache- and ledger-aware), the earlier attempts that need the Pay-again choice,
 * an optional spend cap, rows at once, and Start — which runs exactly what was checked.
 */
export function BatchCostBar() {
  const batch = useBatchStore();
  const s = useSession(
    useShallow((x) => ({
      check: x.check,
      version: x.version,
      checking: x.checking,
      capText: x.capText,
      concurrency: x.concurrency,
      rows: x.table.rows.length,
      columns: x.table.columns.length,
      retry: (x.summary?.rows ?? []).some((r) => r.status === 'failed' || r.status === 'interrupted' || r.status === 'skipped'),
      spent: x.summary?.totals.costUsd ?? 0,
    })),
  );
  const fresh = s.check && s.check.version === s.version ? s.check : null;
  const ready = checkReady(s.check, s.version);
  const cap = parseCap(s.capText);
  const capProblem = typeof cap === 'object' ? cap.problem : undefined;
  const scope = fresh?.scope === 'retry' ? 'retry' : 'all';
  // Start refuses a batch that could pass the cap (or whose price is unknown under one): say so before it is pressed.
  const overCap = typeof cap === 'number' && !!fresh && (fresh.maxUsd === undefined || fresh.maxUsd > Math.max(0, cap - s.spent) + 1e-9);
  return (
    <section className="batch-cost" data-testid="batch-cost">
      <div className="batch-cost-row">
        <button
          type="button"
          className={ready ? '' : 'primary'}
          data-testid="batch-check"
          disabled={!!s.checking || s.rows === 0 || s.columns === 0}
          onClick={() => void batch.check('all')}
        >
          {s.checking ? `Checking ${s.checking.done}/${s.checking.total}…` : fresh?.scope === 'all' ? 'Check again' : 'Check rows and cost'}
        </button>
        {s.retry && (
          <button type="button" data-testid="batch-retry-check" disabled={!!s.checking} onClick={() => void batch.check('retry')}>
            Retry failed rows…
          </button>
        )}
        <span className="muted">Every row is checked like a single run (images decoded): nothing is submitted or paid.</span>
      </div>
      {fresh && (
        <div className="batch-cost-result" data-testid="batch-cost-result">
          {fresh.tableProblems.map((p, i) => (
            <div key={i} className="issue error">
              Column “{p.column}”: {p.message}
            </div>
          ))}
          {fresh.badRows > 0 ? (
            <div className="issue error" role="alert" data-testid="batch-bad-rows">
              {plural(fresh.badRows, 'row has', 'rows have')} problems (shown in the table): fix or remove {fresh.badRows === 1 ? 'it' : 'them'}, then check
              again.
            </div>
          ) : (
            <div className="batch-cost-line" data-testid="batch-cost-line">
              {scope === 'retry' && 'Retry: '}
              {costLine(fresh)}
              {s.spent > 0 && <span className="muted"> ({formatUsd(s.spent)} spent by this batch so far.)</span>}
              {typeof cap === 'number' && fresh.maxUsd !== undefined && <CapNote maxUsd={fresh.maxUsd} room={Math.max(0, cap - s.spent)} cap={cap} />}
            </div>
          )}
          {fresh.blocked.map((b) => (
            <div key={b.jobId} className="issue warning batch-blocked" data-testid={`batch-blocked-${b.rowId}`}>
              Row {b.rowId}: an earlier attempt (job {b.jobId}
              {b.requestId ? `, request ${b.requestId}` : ''}, {b.state}) may have been billed; running it again pays again.
              <button type="button" className="danger" data-testid={`batch-pay-again-${b.rowId}`} onClick={() => void batch.payAgain(b.jobId)}>
                Pay again for job {b.jobId}
              </button>
            </div>
          ))}
        </div>
      )}
      <div className="batch-cost-row">
        <label className="batch-cap">
          Spend cap $
          <input
            className={`widget-input ${capProblem ? 'invalid' : ''}`}
            inputMode="decimal"
            data-testid="batch-cap"
            placeholder="none"
            value={s.capText}
            title={capProblem ?? 'No job starts that could take the batch past this (optional)'}
            onChange={(e) => batch.setCap(e.target.value)}
          />
        </label>
        <label>
          Rows at once{' '}
          <select className="widget-input" data-testid="batch-concurrency" value={s.concurrency} onChange={(e) => batch.setConcurrency(Number(e.target.value))}>
            {[2, 3, 4].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="primary"
          data-testid="batch-start"
          disabled={!ready || !!capProblem || overCap || !!s.checking || fresh?.toRun === 0}
          title={ready ? undefined : 'Check the rows first'}
          onClick={() => void batch.start()}
        >
          {scope === 'retry' ? 'Retry' : 'Start'}{' '}
          {fresh && ready ? `${plural(fresh.toRun, 'row')}${fresh.maxUsd !== undefined ? ` (up to ${formatUsd(fresh.maxUsd)})` : ''}` : 'batch'}
        </button>
      </div>
      {capProblem && <div className="field-problem">{capProblem}</div>}
    </section>
  );
}
