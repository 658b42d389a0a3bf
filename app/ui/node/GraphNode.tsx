import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { Issue } from '../../graph/issues';
import type { PortSpec } from '../../graph/ports';
import type { FlowNode } from '../canvas/flow-derive';
import { FrameStrip } from '../frames/FrameStrip';
import { showsFrames } from '../frames/result-images';
import { useRegistry, useStudio } from '../studio-context';
import { linkedInputsOf } from './linked-ports';
import { JobNotice } from './JobNotice';
import { NodeIssues } from './NodeIssues';
import { NodeStatusBadge, NodeRunMessage } from './NodeStatus';
import { ParamWidget } from './widgets/ParamWidget';
import { defaultParams, widgetsFor } from './widgets/widget-spec';

const NO_ISSUES: readonly Issue[] = [];

/** Counts renders per node id; tests read it to check render isolation. */
export const renderCounts = new Map<string, number>();

const categoryClass = (category: string) => `cat-${category.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;

function PortRow({ nodeId, port, side }: { nodeId: string; port: PortSpec; side: 'in' | 'out' }) {
  return (
    <div className={`port-row port-row-${side}`} title={port.description}>
      <Handle
        type={side === 'in' ? 'target' : 'source'}
        position={side === 'in' ? Position.Left : Position.Right}
        id={port.name}
        className={`port port-${port.type} ${port.multiple ? 'port-multiple' : ''}`}
        data-testid={`handle-${nodeId}-${side}-${port.name}`}
        data-port-type={port.type}
      />
      <span className="port-label">
        {port.label ?? port.name}
        {side === 'in' && port.optional ? <span className="port-optional"> (optional)</span> : null}
      </span>
      <span className={`port-type port-type-${port.type}`}>{port.type}</span>
    </div>
  );
}

/**
 * The one node component: draws any kind from its definition (ports, param widgets) plus its
 * live run state, issues and output frames. Memoised; it reads the store only through narrow
 * selectors, so an edit elsewhere in the graph does not re-render it.
 */
export const GraphNode = memo(function GraphNode({ id, data, selected }: NodeProps<FlowNode>) {
  renderCounts.set(id, (renderCounts.get(id) ?? 0) + 1);
  const node = data.node;
  const def = useRegistry().get(node.kind);
  const linked = useStudio((s) => linkedInputsOf(s.workflow.edges, id));
  const issues = useStudio((s) => s.analysis.issuesByNode.get(id) ?? NO_ISSUES);

  if (!def) {
    return (
      <div className={`graph-node unknown-kind ${selected ? 'selected' : ''}`} data-testid={`node-${id}`}>
        <div className="node-header">
          <span className="node-title">{node.title ?? node.kind}</span>
        </div>
        <div className="node-issues">
          <div className="issue error">Unknown node kind “{node.kind}”: kept as a placeholder, it cannot run.</div>
        </div>
      </div>
    );
  }

  const linkedSet = new Set(linked ? linked.split(',') : []);
  const replaced = new Set(def.inputs.filter((p) => p.replacesParam && linkedSet.has(p.name)).map((p) => p.replacesParam!));
  const widgets = widgetsFor(def);
  const paramNames = new Set(widgets.map((w) => w.name));
  const fieldIssue = (name: string) => issues.find((i) => i.field === name);
  const nodeIssues = issues.filter((i) => !i.field || !paramNames.has(i.field));
  const hasImageOutput = showsFrames(def);

  return (
    <div className={`graph-node ${categoryClass(def.category)} ${selected ? 'selected' : ''}`} data-testid={`node-${id}`} data-kind={node.kind}>
      <div className="node-header">
        <span className="node-title" title={def.description}>
          {node.title ?? def.title}
        </span>
        <NodeStatusBadge nodeId={id} />
      </div>
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
      {widgets.length > 0 && (
        <div className="node-params">
          {widgets.map((spec) => {
            const problem = fieldIssue(spec.name);
            return (
              <ParamWidget
                key={spec.name}
                nodeId={id}
                spec={spec}
                value={node.params[spec.name] ?? defaultParams(def)[spec.name]}
                linked={replaced.has(spec.name)}
                {...(problem ? { problem } : {})}
              />
            );
          })}
        </div>
      )}
      <NodeIssues nodeId={id} issues={nodeIssues} />
      <NodeRunMessage nodeId={id} />
      <JobNotice nodeId={id} />
      {hasImageOutput && <FrameStrip nodeId={id} canPick={def.traits?.frames?.pickable === true} />}
    </div>
  );
});
