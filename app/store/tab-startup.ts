import type { RecoveryReport } from '../ledger';
import { loadWorkflow } from '../graph/load-workflow';
import { emptyWorkflow } from '../graph/workflow-schema';
import type { TabManager } from './tab-manager';

/**
 * Asks the ledger once what the last page left (orphaned intents become unknown submissions,
 * jobs in flight are followed again) and shows it in every tab. Undefined when it could not be read.
 */
export async function recoverJobsInTabs(manager: TabManager): Promise<RecoveryReport | undefined> {
  const first = manager.active();
  const report = await first.getState().recoverJobs();
  if (!report) return undefined;
  for (const tab of manager.state.getState().tabs) {
    const store = manager.storeOf(tab.id);
    if (store && store !== first) store.getState().showRecovered(report);
  }
  return report;
}

/**
 * Runs a reload interrupted go back to the queue first, in tab order, each continued as it was
 * recorded (never planned, asked or paid again: its paid jobs are re-attached by the ledger).
 * Returns how many.
 */
export async function continueUnfinishedRuns(manager: TabManager): Promise<number> {
  let n = 0;
  for (const tab of manager.state.getState().tabs) {
    const store = manager.storeOf(tab.id);
    const record = await store
      ?.getState()
      .loadUnfinishedRun()
      .catch(() => undefined);
    if (!store || !record) continue;
    const loaded = loadWorkflow(record.workflow, manager.registry);
    const s = store.getState();
    manager.queue.add(tab.id, tab.title, [
      {
        workflow: loaded.ok ? loaded.workflow : emptyWorkflow({ name: tab.title }),
        ...(record.targets ? { targets: record.targets } : {}),
        documentId: s.documentId,
        accepted: record.estimate ?? { paidJobs: 0, repay: [] },
        continued: record,
      },
    ]);
    n++;
  }
  return n;
}
