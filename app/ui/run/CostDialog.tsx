import { formatUsd } from '../../store/cost';
import { useStudio, useStudioStore } from '../studio-context';

/**
 * Shown before a run that submits paid jobs: catalog price × Max images for each Seedream node
 * that is not cached ($0 for cached ones), and the total. The run starts only on confirm.
 */
export function CostDialog() {
  const store = useStudioStore();
  const pending = useStudio((s) => s.pendingRun);
  const simulated = useStudio((s) => s.mode === 'simulator');
  if (!pending) return null;
  const { estimate } = pending;
  const money = (usd: number | undefined) => (usd === undefined ? 'unknown' : formatUsd(usd));
  return (
    <div className="modal-backdrop">
      <div className="modal cost-dialog" role="dialog" aria-modal="true" aria-labelledby="cost-title" data-testid="cost-dialog">
        <h2 id="cost-title">
          Run {estimate.paidJobs} paid job{estimate.paidJobs === 1 ? '' : 's'}?
        </h2>
        <p className="muted">
          Billing follows the images requested (Max images), not those delivered: this is the most the run can cost.
          {estimate.priceUsd !== undefined && <> Catalog price: {formatUsd(estimate.priceUsd)} per image.</>}
        </p>
        {estimate.priceError && <p className="warning-text">{estimate.priceError}</p>}
        {simulated && <p className="sim-note">Simulator mode: nothing is submitted to RunComfy and nothing is charged.</p>}
        <table className="cost-table">
          <thead>
            <tr>
              <th>Node</th>
              <th>Max images</th>
              <th>Cost</th>
            </tr>
          </thead>
          <tbody>
            {estimate.items.map((item) => (
              <tr key={item.nodeId} data-testid={`cost-row-${item.nodeId}`} className={item.cached ? 'cached' : ''}>
                <td>{item.title}</td>
                <td>{item.maxImages}</td>
                <td>{item.cached ? '$0.00 (cached)' : item.inFlight ? '$0.00 (already running: joined)' : money(item.costUsd)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <td colSpan={2}>Total</td>
              <td data-testid="cost-total">{money(estimate.totalUsd)}</td>
            </tr>
          </tfoot>
        </table>
        <div className="modal-actions">
          <button type="button" data-testid="cost-cancel" onClick={() => store.getState().cancelPendingRun()}>
            Cancel
          </button>
          <button type="button" className="primary" data-testid="cost-confirm" autoFocus onClick={() => void store.getState().confirmRun()}>
            Run{estimate.totalUsd !== undefined ? ` for up to ${formatUsd(estimate.totalUsd)}` : ''}
          </button>
        </div>
      </div>
    </div>
  );
}
