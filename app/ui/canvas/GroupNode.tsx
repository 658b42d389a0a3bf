import { NodeResizer, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { EditableTitle } from '../node/EditableTitle';
import { useStudioStore } from '../studio-context';
import type { GroupFlowNode } from './flow-derive';

const MIN = { width: 160, height: 80 };

/**
 * A group's frame: a titled, tinted box under the nodes it holds. It is dragged by its title bar
 * (its members move with it), renamed by double-clicking the title, resized by its corners when
 * selected (what its frame then covers belongs to it). Its body lets clicks through to the
 * canvas and the links under it.
 */
export const GroupNode = memo(function GroupNode({ id, data, selected }: NodeProps<GroupFlowNode>) {
  const group = data.group;
  const store = useStudioStore();
  return (
    <div className={`canvas-group ${group.color ? `color-${group.color}` : ''} ${selected ? 'selected' : ''}`} data-testid={`group-${id}`}>
      <NodeResizer isVisible={selected} minWidth={MIN.width} minHeight={MIN.height} handleClassName="item-resize-handle" lineClassName="item-resize-line" />
      <div className="frame-title">
        <EditableTitle
          id={id}
          title={group.title || 'Group'}
          placeholder="Group"
          className="group-title"
          onCommit={(title) => store.getState().setGroupTitle(id, title)}
        />
        <span className="group-count">{group.members.length}</span>
      </div>
    </div>
  );
});
