import { NodeResizer, type NodeProps } from '@xyflow/react';
import { lazy, memo, Suspense, useEffect, useRef } from 'react';
import { MAX_NOTE_CHARS } from '../../graph/workflow-schema';
import { useStudioStore } from '../studio-context';
import { useCanvasUi, useCanvasUiState } from './canvas-ui';
import type { NoteFlowNode } from './flow-derive';

// The renderer is loaded with the first note drawn: most graphs have none, and the first screen's script is over budget.
const NoteMarkdown = lazy(() => import('./note-markdown'));

const MIN = { width: 140, height: 60 };

/**
 * A note on the canvas: its markdown drawn safely (note-markdown.tsx), edited in place on
 * double-click (typing is one undo step per burst; Esc or a click elsewhere ends editing),
 * resized by its corners when selected. Never run, never linked.
 */
export const NoteNode = memo(function NoteNode({ id, data, selected }: NodeProps<NoteFlowNode>) {
  const note = data.note;
  const store = useStudioStore();
  const ui = useCanvasUi();
  const editing = useCanvasUiState((s) => s.editing === id);
  return (
    <div
      className={`canvas-note ${note.color ? `color-${note.color}` : ''} ${selected ? 'selected' : ''}`}
      data-testid={`note-${id}`}
      onDoubleClick={(e) => {
        e.stopPropagation();
        ui.getState().edit(id);
      }}
    >
      <NodeResizer isVisible={selected} minWidth={MIN.width} minHeight={MIN.height} handleClassName="item-resize-handle" lineClassName="item-resize-line" />
      {editing ? (
        <NoteEditor
          id={id}
          text={note.text}
          onChange={(text) => store.getState().setNoteText(id, text)}
          onDone={() => {
            store.getState().closeHistoryGroup();
            ui.getState().edit(null);
          }}
        />
      ) : note.text.trim() === '' ? (
        <div className="note-empty">Double-click to write a note (markdown: **bold**, *italic*, lists, [links](https://…)).</div>
      ) : (
        <Suspense fallback={<div className="note-plain">{note.text}</div>}>
          <NoteMarkdown text={note.text} />
        </Suspense>
      )}
    </div>
  );
});

function NoteEditor({ id, text, onChange, onDone }: { id: string; text: string; onChange(text: string): void; onDone(): void }) {
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const el = ref.current;
    el?.focus();
    el?.setSelectionRange(el.value.length, el.value.length);
  }, []);
  return (
    <textarea
      ref={ref}
      className="note-editor nodrag nowheel"
      data-testid={`note-editor-${id}`}
      aria-label="Note (markdown)"
      maxLength={MAX_NOTE_CHARS}
      value={text}
      onChange={(e) => onChange(e.target.value)}
      onBlur={onDone}
      onKeyDown={(e) => {
        // Keys typed here are the note's: neither the canvas nor the editor's shortcuts see them.
        e.stopPropagation();
        if (e.key === 'Escape') onDone();
      }}
    />
  );
}
