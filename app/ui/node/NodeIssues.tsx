import { memo } from 'react';
import type { Issue } from '../../graph/issues';
import { IssueLine } from './IssueFix';

/** Planner findings about the node as a whole (missing links, reference counts), shown before running, with their fixes. */
export const NodeIssues = memo(function NodeIssues({ nodeId, issues }: { nodeId: string; issues: readonly Issue[] }) {
  if (issues.length === 0) return null;
  return (
    <div className="node-issues" data-testid={`node-issues-${nodeId}`}>
      {issues.map((issue, i) => (
        <IssueLine key={i} nodeId={nodeId} issue={issue} />
      ))}
    </div>
  );
});
