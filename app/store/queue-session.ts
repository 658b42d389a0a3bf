import { z } from 'zod';
import { loadWorkflow } from '../graph/load-workflow';
import type { Issue } from '../graph/issues';
import type { RunQueue } from './run-queue';
import { zAcceptedEstimate } from './run-record';
import type { TabManager } from './tab-manager';

/** A queued run that had not started, as kept between reloads: what the user accepted for it, and its snapshot. */
export const zQueuedRun = z.object({
  tabId: z.string().min(1),
  title: z.string(),
  /** The graph as it was queued (loaded through parse-and-migrate when restored). */
  workflow: z.unknown(),
  targets: z.array(z.string()).optional(),
  documentId: z.string().min(1),
  accepted: zAcceptedEstimate,
  seeds: z.array(z.number()).optional(),
  label: z.string().optional(),
});
export type QueuedRun = z.infer<typeof zQueuedRun>;

/** The runs waiting their turn (or an OK), in queue order. */
export function waitingRuns(queue: Pick<RunQueue, 'store'>): QueuedRun[] {
  return queue.store
    .getState()
    .items.filter((i) => (i.status === 'pending' || i.status === 'needs-ok') && !i.continued)
    .map((i) => ({
      tabId: i.tabId,
      title: i.title,
      workflow: i.workflow,
      ...(i.targets ? { targets: [...i.targets] } : {}),
      documentId: i.documentId,
      accepted: i.accepted,
      ...(i.seeds ? { seeds: [...i.seeds] } : {}),
      ...(i.label ? { label: i.label } : {}),
    }));
}

/**
 * Puts the runs a reload found waiting back in the queue, after the runs it continues: each
 * still runs only within what was accepted for it (its cost is worked out again at its turn).
 * Runs of tabs that did not reopen, or whose snapshot no longer loads, are left out and said so.
 */
export function requeueWaitingRuns(manager: TabManager, runs: readonly QueuedRun[]): { requeued: number; issues: Issue[] } {
  const issues: Issue[] = [];
  let requeued = 0;
  for (const run of runs) {
    const tab = manager.state.getState().tabs.find((t) => t.id === run.tabId);
    const loaded = loadWorkflow(run.workflow, manager.registry);
    if (!tab || !loaded.ok) {
      issues.push({
        severity: 'warning',
        code: 'queued-run-dropped',
        message: `A queued run of “${run.title}” was not put back in the queue (${tab ? 'its graph no longer loads' : 'its tab did not reopen'}); nothing was paid for it.`,
      });
      continue;
    }
    manager.queue.add(run.tabId, tab.title, [
      {
        workflow: loaded.workflow,
        ...(run.targets ? { targets: run.targets } : {}),
        documentId: run.documentId,
        accepted: run.accepted,
        ...(run.seeds ? { seeds: run.seeds } : {}),
        ...(run.label ? { label: run.label } : {}),
      },
    ]);
    requeued++;
  }
  return { requeued, issues };
}
