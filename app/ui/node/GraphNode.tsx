import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo, useMemo, type MouseEvent } from 'react';
import type { Issue } from '../../graph/issues';
import type { PortSpec } from '../../graph/ports';
import type { WorkflowNode } from '../../graph/workflow-schema';
import { useCanvasUi } from '../canvas/canvas-ui';
import type { FlowNode } from '../canvas/flow-derive';
import { FrameStrip } from '../frames/FrameStrip';
import { showsFrames } from '../frames/result-images';
import { useRegistry, useStudio, useStudioStore } from '../studio-context';
import { EditableTitle } from './EditableTitle';
import { linkedInputsOf } from './linked-ports';
import { IssueBadge } from './IssueFix';
import { JobNoticeSlot } from './JobNoticeSlot';
import { NodeIssues } from './NodeIssues';
import { NodeStatusBadge, NodeRunMessage } from './NodeStatus';
import { PlaceholderNode } from './PlaceholderNode';
import { SaveResult } from './SaveResult';
import { ParamWidget } from './widgets/ParamWidget';
import { defaultParams, widgetsFor } from './widgets/widget-spec';

const NO_ISSUES: readonly Issue[] = [];

/** The class giving a node its category colour. */
export const categoryClass = (category: string) => `cat-${category.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;

/**
 * The classes a node's flags give it: bypassed, muted, coloured, pinned, collapsed. Shared with
 * the outline, so a node reads the same zoomed out.
 */
export function flagClasses(node: WorkflowNode): string {
  return [node.mode ? `mode-${node.mode}` : '', node.color ? `color-${node.color}` : '', node.pinned ? 'pinned' : '', node.collapsed ? 'collapsed' : ''].join(
    ' ',
  );
}

/** The input's context menu (its links in merge order), opened on a right-click of its handle. */
function useInputMenu(nodeId: string, port: PortSpec, side: 'in' | 'out') {
  const ui = useCanvasUi();
  if (side !== 'in') return undefined;
  return (e: MouseEvent) => {
    e.preventDefault();
    e.stopPropagation();
    ui.getState().openMenu({ target: { kind: 'input', node: nodeId, port: port.name }, screen: { x: e.clientX, y: e.clientY }, returnFocus: null });
  };
}

/** One port: its handle, label and type. Shared with the zoomed-out outline (canvas/NodeOutline.tsx), which must put handles where this does. */
export function PortRow({ nodeId, port, side }: { nodeId: string; port: PortSpec; side: 'in' | 'out' }) {
  const onContextMenu = useInputMenu(nodeId, port, side);
  return (
    <div className={`port-row port-row-${side}`} title={port.description} onContextMenu={onContextMenu}>
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
 * A collapsed node's handles: every port's handle on its title bar (inputs left, outputs right),
 * so its links stay attached while nothing else of it is drawn.
 */
export function CollapsedPorts({ nodeId, inputs, outputs }: { nodeId: string; inputs: readonly PortSpec[]; outputs: readonly PortSpec[] }) {
  return (
    <>
      {inputs.map((p) => (
        <Handle
          key={`in-${p.name}`}
          type="target"
          position={Position.Left}
          id={p.name}
          className={`port port-${p.type} collapsed-port`}
          data-testid={`handle-${nodeId}-in-${p.name}`}
        />
      ))}
      {outputs.map((p) => (
        <Handle
          key={`out-${p.name}`}
          type="source"
          position={Position.Right}
          id={p.name}
          className={`port port-${p.type} collapsed-port`}
          data-testid={`handle-${nodeId}-out-${p.name}`}
        />
      ))}
    </>
  );
}

/** What a node's header shows besides its title: its mode, its pin, and the button that opens its menu (for keyboards too). */
export function HeaderMarks({ node }: { node: WorkflowNode }) {
  const ui = useCanvasUi();
  return (
    <>
      {node.mode && (
        <span className={`mode-tag mode-tag-${node.mode}`} data-testid={`mode-${node.id}`}>
          {node.mode === 'bypass' ? 'bypassed' : 'muted'}
        </span>
      )}
      {node.pinned && (
        <span className="pin-mark" title="Pinned: it cannot be dragged or deleted until unpinned" aria-label="Pinned">
          📌
        </span>
      )}
      <button
        type="button"
        className="node-menu-button nodrag"
        aria-label="Node menu"
        title="Node menu (right-click, or Shift+F10)"
        data-testid={`node-menu-${node.id}`}
        onClick={(e) => {
          const r = e.currentTarget.getBoundingClientRect();
          ui.getState().openMenu({ target: { kind: 'node', id: node.id }, screen: { x: r.left, y: r.bottom }, returnFocus: e.currentTarget });
        }}
      >
        ⋮
      </button>
    </>
  );
}

/**
 * The one node component: draws any kind from its definition (ports, param widgets) plus its
 * live run state, issues and output frames. Memoised on what it draws; it reads the store only
 * through narrow selectors, so an edit elsewhere in the graph does not re-render it.
 */
export const GraphNode = memo(function GraphNode({ id, data, selected }: NodeProps<FlowNode>) {
  const node = data.node;
  const def = useRegistry().get(node.kind);
  const store = useStudioStore();
  const linked = useStudio((s) => linkedInputsOf(s.workflow.edges, id));
  const issues = useStudio((s) => s.analysis.issuesByNode.get(id) ?? NO_ISSUES);
  // Per param, its issues: one array per analysis, so widgets whose issues did not change keep their props.
  const byField = useMemo(() => {
    const map = new Map<string, Issue[]>();
    for (const i of issues) if (i.field) map.set(i.field, [...(map.get(i.field) ?? []), i]);
    return map;
  }, [issues]);

  if (!def)
    return <PlaceholderNode node={node} className={`graph-node ${flagClasses(node)} ${selected ? 'selected' : ''}`} marks={<HeaderMarks node={node} />} />;

  const linkedSet = new Set(linked ? linked.split(',') : []);
  const replaced = new Set(def.inputs.filter((p) => p.replacesParam && linkedSet.has(p.name)).map((p) => p.replacesParam!));
  const widgets = widgetsFor(def);
  const paramNames = new Set(widgets.map((w) => w.name));
  const nodeIssues = issues.filter((i) => !i.field || !paramNames.has(i.field));
  const hasImageOutput = showsFrames(def);
  const rename = (title: string) => {
    store.getState().setTitle(id, title);
    store.getState().closeHistoryGroup();
  };
  const header = (
    <div className="node-header">
      <EditableTitle id={id} title={node.title ?? def.title} placeholder={def.title} hint={def.description} onCommit={rename} />
      <HeaderMarks node={node} />
      <IssueBadge nodeId={id} issues={issues} />
      <NodeStatusBadge nodeId={id} />
      {node.collapsed && <CollapsedPorts nodeId={id} inputs={def.inputs} outputs={def.outputs} />}
    </div>
  );
  const classes = `graph-node ${categoryClass(def.category)} ${flagClasses(node)} ${selected ? 'selected' : ''}`;
  if (node.collapsed) {
    return (
      <div className={classes} data-testid={`node-${id}`} data-kind={node.kind}>
        {header}
      </div>
    );
  }

  return (
    <div className={classes} data-testid={`node-${id}`} data-kind={node.kind}>
      {header}
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
      <JobNoticeSlot nodeId={id} />
      {def.traits?.sink === 'save' && <SaveResult nodeId={id} />}
      {hasImageOutput && <FrameStrip nodeId={id} canPick={def.traits?.frames?.pickable === true} />}
    </div>
  );
}, drawsSame);
