import { lazy, memo, Suspense } from 'react';
import { missingOutputs, REPAY_STATES } from '../../ledger';
import { useStudio } from '../studio-context';

// The notice (facts, Fetch missing images, Pay again) loads the first time a job needs the user.
const JobNotice = lazy(() => import('./JobNotice').then((m) => ({ default: m.JobNotice })));

/** Where a node shows its job when it needs the user (partial, or paying again needs a choice). */
export const JobNoticeSlot = memo(function JobNoticeSlot({ nodeId }: { nodeId: string }) {
  const needed = useStudio((s) => {
    const r = s.run.nodes[nodeId]?.job?.record;
    if (!r) return false;
    const partial = r.partial && (r.state === 'stored' || r.state === 'completed') && missingOutputs(r).length > 0;
    return partial || (REPAY_STATES.has(r.state) && !r.supersededBy && !r.dismissed);
  });
  return needed ? (
    <Suspense fallback={null}>
      <JobNotice nodeId={nodeId} />
    </Suspense>
  ) : null;
});
