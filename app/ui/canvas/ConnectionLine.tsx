import { getBezierPath, type ConnectionLineComponentProps } from '@xyflow/react';
import type { CanvasFlowNode } from './flow-derive';
import { useRegistry, useStudio } from '../studio-context';

/**
 * The link being dragged: coloured by the type it carries, red with the reason when it hovers a
 * port it cannot connect to.
 */
export function ConnectionLine({
  fromNode,
  fromHandle,
  fromX,
  fromY,
  toX,
  toY,
  fromPosition,
  toPosition,
  connectionStatus,
}: ConnectionLineComponentProps<CanvasFlowNode>) {
  const registry = useRegistry();
  const hint = useStudio((s) => s.connectionHint);
  // Only graph nodes have handles; notes and groups never start a link.
  const def = 'node' in fromNode.data ? registry.get(fromNode.data.node.kind) : undefined;
  const ports = fromHandle.type === 'source' ? def?.outputs : def?.inputs;
  const type = ports?.find((p) => p.name === fromHandle.id)?.type ?? 'unknown';
  const [path] = getBezierPath({ sourceX: fromX, sourceY: fromY, sourcePosition: fromPosition, targetX: toX, targetY: toY, targetPosition: toPosition });
  const invalid = connectionStatus === 'invalid';
  return (
    <g className={`connection-line edge-${type} ${invalid ? 'invalid' : ''}`}>
      <path d={path} fill="none" className="connection-path" />
      {invalid && hint && (
        <foreignObject x={toX + 14} y={toY + 10} width={320} height={80} className="connection-hint-box">
          <div className="connection-hint" data-testid="connection-hint">
            {hint}
          </div>
        </foreignObject>
      )}
    </g>
  );
}
