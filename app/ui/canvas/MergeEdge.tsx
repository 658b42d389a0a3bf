import { BaseEdge, getBezierPath, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';
import type { FlowEdge } from './flow-derive';

/** How far along a link (0 at its source, 1 at its input) its merge-order badge sits: near the input, where the links fan in. */
const BADGE_AT = 0.82;

const controlOffset = (d: number) => (d >= 0 ? 0.5 * d : 0.25 * 25 * Math.sqrt(-d));

/**
 * The point at `t` on React Flow's default bezier from a right-hand output to a left-hand input
 * (the same control points as its getBezierPath), so the badge sits on the drawn link.
 */
export function pointOnLink(sx: number, sy: number, tx: number, ty: number, t: number): { x: number; y: number } {
  const off = controlOffset(tx - sx);
  const [c1x, c1y, c2x, c2y] = [sx + off, sy, tx - off, ty];
  const u = 1 - t;
  const a = u * u * u;
  const b = 3 * u * u * t;
  const c = 3 * u * t * t;
  const d = t * t * t;
  return { x: a * sx + b * c1x + c * c2x + d * tx, y: a * sy + b * c1y + c * c2y + d * ty };
}

/**
 * A link into a multiple input that has several: drawn like any link, with its place in the
 * merge order (1, 2, 3…) in a small badge near the input.
 */
export const MergeEdge = memo(function MergeEdge(props: EdgeProps<FlowEdge>) {
  const { sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, markerEnd, style, interactionWidth } = props;
  const [path] = getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  const at = pointOnLink(sourceX, sourceY, targetX, targetY, BADGE_AT);
  return (
    <>
      <BaseEdge
        id={props.id}
        path={path}
        {...(markerEnd ? { markerEnd } : {})}
        {...(style ? { style } : {})}
        {...(interactionWidth !== undefined ? { interactionWidth } : {})}
      />
      {data?.merge !== undefined && (
        <g className="merge-badge" transform={`translate(${at.x}, ${at.y})`} data-testid={`merge-badge-${props.id}`}>
          <circle r={8} />
          <text textAnchor="middle" dominantBaseline="central">
            {data.merge}
          </text>
        </g>
      )}
    </>
  );
});
