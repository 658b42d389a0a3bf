import { memo } from 'react';
import type { Issue } from '../../graph/issues';
import { useStudio, useStudioStore } from '../studio-context';

/** The one-click repair of a planner issue ("Set Max images to 4"); while the cost dialog is open it is estimated again. */
export const IssueFix = memo(function IssueFix({ nodeId, fix, testPrefix = 'fix' }: { nodeId: string; fix: NonNullable<Issue['fix']>; testPrefix?: string }) {
  const store = useStudioStore();
  const busy = useStudio((s) => s.estimating || ['starting', 'running', 'stopping'].includes(s.run.phase));
  return (
    <button
      type="button"
      className="issue-fix nodrag"
      data-testid={`${testPrefix}-${nodeId}-${fix.param}-${String(fix.value)}`}
      disabled={busy}
      onClick={(e) => {
        e.stopPropagation();
        void store.getState().applyFix(nodeId, fix);
      }}
    >
      {fix.label}
    </button>
  );
});

/** One issue as a line: its icon, its sentence, and its fix when it has one (test ids `<testPrefix>-<node>-<param>-<value>`). */
export function IssueLine({ nodeId, issue, testPrefix }: { nodeId: string; issue: Issue; testPrefix?: string }) {
  return (
    <div className={`issue ${issue.severity}`} data-code={issue.code}>
      <span className="issue-icon" aria-label={issue.severity}>
        !
      </span>
      {issue.message}
      {issue.fix && <IssueFix nodeId={nodeId} fix={issue.fix} {...(testPrefix ? { testPrefix } : {})} />}
    </div>
  );
}

/** A header badge counting a node's issues (warnings and errors), their sentences on hover. */
export const IssueBadge = memo(function IssueBadge({ nodeId, issues }: { nodeId: string; issues: readonly Issue[] }) {
  if (issues.length === 0) return null;
  const errors = issues.filter((i) => i.severity === 'error').length;
  const severity = errors > 0 ? 'error' : 'warning';
  const label = errors > 0 ? `${errors} error${errors === 1 ? '' : 's'}` : `${issues.length} warning${issues.length === 1 ? '' : 's'}`;
  return (
    <span
      className={`issue-badge ${severity}`}
      data-testid={`node-issue-badge-${nodeId}`}
      title={issues.map((i) => `${i.severity === 'error' ? 'Error' : 'Warning'}: ${i.message}`).join('\n')}
      aria-label={label}
    >
      ⚠ {issues.length}
    </span>
  );
});
