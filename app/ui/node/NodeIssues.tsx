import { memo } from 'react';
import type { Issue } from '../../graph/issues';

/** Planner findings about the node as a whole (missing links, reference counts), shown before running. */
export const NodeIssues = memo(function NodeIssues({ nodeId, issues }: { nodeId: string; issues: readonly Issue[] }) {
  if (issues.length === 0) return null;
  return (
    <div className="node-issues" data-testid={`node-issues-${nodeId}`}>
      {issues.map((issue, i) => (
        <div key={i} className={`issue ${issue.severity}`} data-code={issue.code}>
          <span className="issue-icon" aria-label={issue.severity}>
            !
          </span>
          {issue.message}
        </div>
      ))}
    </div>
  );
});
