import type { NodeRunState } from '../../store/run-reducer';
import { Elapsed } from './Elapsed';
import { statusLabel, wasStopped } from './status-text';

/** The colour family of a run state: billed-after-stop and stopped read differently from plain errors. */
export const statusTone = (state: NodeRunState): string => (state.billedAfterStop ? 'billed' : wasStopped(state) ? 'stopped' : state.status);

/** A node's run state as a badge (label, and elapsed time while running), on the node and in the run panel. */
export function StatusBadge({ state, testId }: { state: NodeRunState; testId?: string }) {
  return (
    <span className={`status-badge status-${statusTone(state)}`} data-testid={testId} data-status={state.status}>
      {statusLabel(state)}
      {state.status === 'running' && state.startedAt !== undefined && !state.billedAfterStop && (
        <>
          {' '}
          <Elapsed since={state.startedAt} />
        </>
      )}
    </span>
  );
}
