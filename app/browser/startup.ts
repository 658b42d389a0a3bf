import type { BatchStore } from '../store/batch-store';
import { requeueWaitingRuns, type QueuedRun } from '../store/queue-session';
import type { TabManager } from '../store/tab-manager';
import { continueUnfinishedRuns, recoverJobsInTabs } from '../store/tab-startup';
import { watchOtherOwners } from './watch-owners';

/**
 * What the last page left: paid jobs in flight are followed again (never resubmitted), intents
 * cut off mid-submit become unknown submissions, the runs a reload interrupted continue and the
 * runs that were waiting are queued again, one at a time through the queue. Jobs another window follows are taken over when its lease runs out.
 */
export async function startUp(tabs: TabManager, leaseMs: number, batches: () => Promise<BatchStore | undefined>, waiting: readonly QueuedRun[]): Promise<void> {
  const report = await recoverJobsInTabs(tabs);
  // After the ledger re-attached what it follows, so a continued row joins those jobs.
  await batches()
    .then((b) => b?.resume())
    .catch(() => undefined);
  await continueUnfinishedRuns(tabs);
  // Then the runs that were waiting, in their order (each within the cost accepted for it).
  const { requeued, issues } = requeueWaitingRuns(tabs, waiting);
  const said = [...(requeued ? [`${requeued} queued run${requeued === 1 ? ' is' : 's are'} back in the queue.`] : []), ...issues.map((i) => i.message)];
  if (said.length)
    tabs
      .active()
      .getState()
      .notify(said.join(' '), issues.length ? 'error' : 'info');
  if (report?.elsewhere.length) watchOtherOwners(() => recoverJobsInTabs(tabs), leaseMs);
}
