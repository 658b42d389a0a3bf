import { memo } from 'react';
import { useStudio, useStudioStore } from '../studio-context';

/**
 * On a node whose paid request the API no longer knows (expired while the page was away): says
 * its images are lost and that nothing was resubmitted. Stays until dismissed.
 */
export const LostJobMarker = memo(function LostJobMarker({ nodeId }: { nodeId: string }) {
  const store = useStudioStore();
  const lost = useStudio((s) => s.lostJobs.find((j) => j.nodeId === nodeId));
  if (!lost) return null;
  return (
    <div className="node-lost nodrag" role="alert" data-testid={`node-lost-${nodeId}`}>
      <span className="lost-badge">lost</span>
      <span className="node-lost-text" title={lost.detail}>
        {lost.message}
      </span>
      <button type="button" data-testid={`lost-dismiss-${nodeId}`} onClick={() => void store.getState().dismissLost(lost.requestId)}>
        Dismiss
      </button>
    </div>
  );
});
