import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo, useMemo } from 'react';
import type { Issue } from '../../graph/issues';
import type { PortSpec } from '../../graph/ports';
import type { FlowNode } from '../canvas/flow-derive';
import { FrameStrip } from '../frames/FrameStrip';
import { showsFrames } from '../frames/result-images';
import { useRegistry, useStudio } from '../studio-context';
import { linkedInputsOf } from './linked-ports';
import { IssueBadge } from './IssueFix';
import { JobNotice } from './JobNotice';
import { NodeIssues } from './NodeIssues';
import { NodeStatusBadge, NodeRunMessage } from './NodeStatus';
import { SaveResult } from './SaveResult';
import { ParamWidget } from './widgets/ParamWidget';
import { defaultParams, widgetsFor } from './widgets/widget-spec';

const NO_ISSUES: readonly Issue[] = [];

/** The class giving a node its category colour. */
export const categoryClass = (category: string) => `cat-${category.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;

/** One port: its handle, label and type. Shared with the zoomed-out outline (canvas/NodeOutline.tsx), which must put handles where this does. */
export function PortRow({ nodeId, port, side }: { nodeId: string; port: PortSpec; side: 'in' | 'out' }) {
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
 * Whether a node's body would draw the same: it reads only these props. React Flow also passes
 * the node's position (and dragging flag), which change on every frame of a drag without
 * changing anything drawn inside the node.
 */
const drawsSame = (a: NodeProps<FlowNode>, b: NodeProps<FlowNode>): boolean => a.id === b.id && a.data === b.data && a.selected === b.selected;

/**
 * The one node component: draws any kind from its definition (ports, param widgets) plus its
 * live run state, issues and output frames. Memoised on what it draws; it reads the store only
 * through narrow selectors, so an edit elsewhere in the graph does not re-render it.
 */
export const GraphNode = memo(function GraphNode({ id, data, selected }: NodeProps<FlowNode>) {
  const node = data.node;
  const def = useRegistry().get(node.kind);
  const linked = useStudio((s) => linkedInputsOf(s.workflow.edges, id));
  const issues = useStudio((s) => s.analysis.issuesByNode.get(id) ?? NO_ISSUES);
  // Per param, its issues: one array per analysis, so widgets whose issues did not change keep their props.
  const byField = useMemo(() => {
    const map = new Map<string, Issue[]>();
    for (const i of issues) if (i.field) map.set(i.field, [...(map.get(i.field) ?? []), i]);
    return map;
  }, [issues]);

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
  const nodeIssues = issues.filter((i) => !i.field || !paramNames.has(i.field));
  const hasImageOutput = showsFrames(def);

  return (
    <div className={`graph-node ${categoryClass(def.category)} ${selected ? 'selected' : ''}`} data-testid={`node-${id}`} data-kind={node.kind}>
      <div className="node-header">
        <span className="node-title" title={def.description}>
          {node.title ?? def.title}
        </span>
        <IssueBadge nodeId={id} issues={issues} />
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
            const problems = byField.get(spec.name);
            return (
              <ParamWidget
                key={spec.name}
                nodeId={id}
                spec={spec}
                value={node.params[spec.name] ?? defaultParams(def)[spec.name]}
                linked={replaced.has(spec.name)}
                {...(problems ? { problems } : {})}
              />
            );
          })}
        </div>
      )}
      <NodeIssues nodeId={id} issues={nodeIssues} />
      <NodeRunMessage nodeId={id} />
      <JobNotice nodeId={id} />
      {def.traits?.sink === 'save' && <SaveResult nodeId={id} />}
      {hasImageOutput && <FrameStrip nodeId={id} canPick={def.traits?.frames?.pickable === true} />}
    </div>
  );
}, drawsSame);
