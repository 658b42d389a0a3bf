import { useShallow } from 'zustand/react/shallow';
import { formatUsd } from '../../engine/estimate-cost';
import { useBatchStore, useSession } from './use-batch';

const SEGMENTS = ['succeeded', 'failed', 'running', 'queued'] as const;

/** Rows done/failed/running/queued as a bar, images, and $ spent of the most (and of the cap); Stop while it runs. */
export function BatchProgress() {
  const batch = useBatchStore();
  const { totals, phase, stopping, spend, spentBefore, resumed } = useSession(
    useShallow((s) => ({ totals: s.summary?.totals, phase: s.phase, stopping: s.stopping, spend: s.spend, spentBefore: s.spentBefore, resumed: s.resumed })),
  );
  if (!totals) return null;
  const other = totals.interrupted + totals.skipped + totals.invalid;
  const spent = Math.max(totals.costUsd, spentBefore + (spend?.spentUsd ?? 0));
  const width = (n: number) => `${(100 * n) / Math.max(1, totals.rows)}%`;
  const phaseText =
    phase === 'running' ? (stopping ? 'Stopping…' : resumed ? 'Running (continued after a reload)' : 'Running') : phase === 'stopped' ? 'Stopped' : 'Finished';
  return (
    <section className="batch-progress" data-testid="batch-progress" data-phase={phase}>
      <div className="batch-bar" role="progressbar" aria-valuemin={0} aria-valuemax={totals.rows} aria-valuenow={totals.succeeded + totals.failed}>
        {SEGMENTS.map((k) => (
          <span key={k} className={`batch-bar-${k}`} style={{ width: width(totals[k]) }} />
        ))}
        <span className="batch-bar-other" style={{ width: width(other) }} />
      </div>
      <div className="batch-progress-line">
        <strong data-testid="batch-phase">{phaseText}</strong>
        <span data-testid="batch-counts">
          {totals.succeeded} done · {totals.failed} failed · {totals.running} running · {totals.queued} queued
          {other ? ` · ${other} stopped or skipped` : ''} · {totals.images} image{totals.images === 1 ? '' : 's'}
        </span>
        <span data-testid="batch-spent">
          {formatUsd(spent)} spent{totals.maxCostUsd !== undefined ? ` of up to ${formatUsd(totals.maxCostUsd)}` : ''}
          {totals.capUsd !== undefined ? ` (cap ${formatUsd(totals.capUsd)})` : ''}
          {spend && spend.reservedUsd > 0 ? ` · ${formatUsd(spend.reservedUsd)} in flight` : ''}
        </span>
        {phase === 'running' && (
          <button type="button" className="danger" data-testid="batch-stop" disabled={stopping} onClick={() => batch.stop()}>
            {stopping ? 'Stopping…' : '■ Stop batch'}
          </button>
        )}
      </div>
    </section>
  );
}
