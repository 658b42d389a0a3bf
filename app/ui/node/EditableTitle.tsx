import { useState, type KeyboardEvent } from 'react';
import { useCanvasUi, useCanvasUiState } from '../canvas/canvas-ui';

/**
 * A title edited in place: double-click it (or choose Rename… in its menu) to type; Enter or
 * leaving the field keeps the new title, Esc keeps the old one. `onCommit` makes the change
 * (one undo step); an empty title means "back to the default" for nodes.
 */
export function EditableTitle({
  id,
  title,
  placeholder,
  hint,
  className = 'node-title',
  onCommit,
}: {
  id: string;
  title: string;
  placeholder: string;
  hint?: string;
  className?: string;
  onCommit(title: string): void;
}) {
  const ui = useCanvasUi();
  const editing = useCanvasUiState((s) => s.editing === id);
  if (!editing) {
    return (
      <span
        className={className}
        title={hint ? `${hint} · double-click to rename` : 'Double-click to rename'}
        data-testid={`title-${id}`}
        onDoubleClick={(e) => {
          e.stopPropagation();
          ui.getState().edit(id);
        }}
      >
        {title}
      </span>
    );
  }
  const done = (value: string | undefined) => {
    ui.getState().edit(null);
    if (value !== undefined) onCommit(value);
  };
  return <TitleInput id={id} initial={title} placeholder={placeholder} onDone={done} />;
}

function TitleInput({ id, initial, placeholder, onDone }: { id: string; initial: string; placeholder: string; onDone(value: string | undefined): void }) {
  const [value, setValue] = useState(initial);
  const [done, setDone] = useState(false);
  const finish = (keep: boolean) => {
    if (done) return;
    setDone(true);
    onDone(keep ? value : undefined);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    // Keys typed here are the title's: neither the canvas nor the editor's shortcuts see them.
    e.stopPropagation();
    if (e.key === 'Enter') finish(true);
    else if (e.key === 'Escape') finish(false);
  };
  return (
    <input
      className="title-input nodrag"
      data-testid={`title-input-${id}`}
      aria-label="Title"
      autoFocus
      maxLength={200}
      value={value}
      placeholder={placeholder}
      onFocus={(e) => e.currentTarget.select()}
      onChange={(e) => setValue(e.target.value)}
      onKeyDown={onKeyDown}
      onBlur={() => finish(true)}
      onDoubleClick={(e) => e.stopPropagation()}
    />
  );
}
