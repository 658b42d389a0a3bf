import type { NodeProps } from '@xyflow/react';
import { GraphNode } from '../node/GraphNode';
import { useStudio } from '../studio-context';
import type { FlowNode } from './flow-derive';
import { geometryKey } from './node-geometry';
import { NodeOutline } from './NodeOutline';
import { useCanvasDetail } from './zoom-level';

/**
 * What React Flow draws for a node: the full GraphNode, or zoomed out its outline at the
 * height the full node was measured at (in this page, or remembered from the last visit). A
 * node never measured is drawn in full first, so an outline always has a true size to keep.
 * The height comes from the editor's store, not React Flow's: this selector does not run on
 * every drag frame.
 */
export function CanvasNode(props: NodeProps<FlowNode>) {
  const { zoomedOut, remembered } = useCanvasDetail();
  const { id } = props;
  const kind = geometryKey(props.data.node);
  const height = useStudio((s) => {
    if (!zoomedOut) return undefined;
    const hint = remembered.get(id);
    return s.nodeSizes.get(id)?.height ?? (hint?.kind === kind ? hint.size.height : undefined);
  });
  return height ? <NodeOutline id={id} data={props.data} selected={props.selected} height={height} /> : <GraphNode {...props} />;
}
