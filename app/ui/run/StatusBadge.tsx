import type { NodeRunState } from '../../store/run-reducer';
import { Elapsed } from './Elapsed';
import { statusLabel, statusTone } from './status-text';

export { statusTone };

/** A node's run state as a badge (label, and elapsed time while running), on the node and in the run panel. */
export function StatusBadge({ state, testId }: { state: NodeRunState; testId?: string }) {
  const tone = statusTone(state);
  return (
    <span className={`status-badge status-${tone}`} data-testid={testId} data-status={state.status}>
      {statusLabel(state)}
      {state.status === 'running' && state.startedAt !== undefined && tone === 'running' && (
        <>
          {' '}
          <Elapsed since={state.startedAt} />
        </>
      )}
    </span>
  );
}
