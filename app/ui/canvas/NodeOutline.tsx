import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { FrameStrip } from '../frames/FrameStrip';
import { showsFrames } from '../frames/result-images';
import { categoryClass, CollapsedPorts, flagClasses, PortRow } from '../node/GraphNode';
import { NodeStatusBadge } from '../node/NodeStatus';
import { useRegistry, useStudio } from '../studio-context';
import type { FlowNode } from './flow-derive';

/** Titles longer than this are cut with an ellipsis (about what a header holds). */
const TITLE_CHARS = 30;
const shortTitle = (title: string): string => (title.length > TITLE_CHARS ? `${title.slice(0, TITLE_CHARS - 1)}…` : title);

/** How a node's issues show on its outline: the worst one colours its border. */
function severityOf(issues: readonly { severity: string }[] | undefined): 'error' | 'warning' | null {
  if (!issues?.length) return null;
  return issues.some((i) => i.severity === 'error') ? 'error' : 'warning';
}

/**
 * A node drawn zoomed out, where its text is a few pixels tall: the box at the size the full
 * node was measured at, its title bar with run state, its ports (handles exactly where the full
 * node has them, so links stay put and a re-measure finds the same), its frames with their
 * stale marker, and a border coloured by its worst issue; no widgets. A tenth of the elements
 * and store subscriptions of a full node, which is what hundreds of nodes in view cost.
 */
export const NodeOutline = memo(function NodeOutline({
  id,
  data,
  selected,
  height,
}: Pick<NodeProps<FlowNode>, 'id' | 'data' | 'selected'> & { height: number }) {
  const node = data.node;
  const def = useRegistry().get(node.kind);
  const severity = useStudio((s) => severityOf(s.analysis.issuesByNode.get(id)));
  const classes = [
    'graph-node',
    'node-outline',
    def ? categoryClass(def.category) : 'unknown-kind',
    flagClasses(node),
    selected ? 'selected' : '',
    severity ? `outline-${severity}` : '',
  ];
  return (
    <div className={classes.join(' ')} style={{ height }} data-testid={`node-${id}`} data-kind={node.kind} data-outline="">
      <div className="node-header">
        <span className="node-title">{shortTitle(node.title ?? def?.title ?? node.kind)}</span>
        <NodeStatusBadge nodeId={id} />
        {def && node.collapsed && <CollapsedPorts nodeId={id} inputs={def.inputs} outputs={def.outputs} />}
      </div>
      {def && !node.collapsed && (
        <div className="node-ports">
          <div className="ports-in">
            {def.inputs.map((p) => (
              <PortRow key={p.name} nodeId={id} port={p} side="in" />
            ))}
          </div>
          <div className="ports-out">
            {def.outputs.map((p) => (
              <PortRow key={p.name} nodeId={id} port={p} side="out" />
            ))}
          </div>
        </div>
      )}
      {!node.collapsed && <div className="node-outline-fill" />}
      {def && !node.collapsed && showsFrames(def) && <FrameStrip nodeId={id} canPick={false} />}
    </div>
  );
});
