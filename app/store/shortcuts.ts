/**
 * Keyboard shortcuts as data: a key event maps to a command name, and the editor runs it.
 * Copy, cut and paste are handled through the browser's clipboard events, not here.
 */
export type Command = 'run' | 'undo' | 'redo' | 'duplicate' | 'delete' | 'escape' | 'select-all' | 'fit-view' | 'search';

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  target: EventTarget | null;
}

/** Whether the event comes from somewhere the user types (inputs, textareas, editable content). */
export function isTextEntry(target: EventTarget | null): boolean {
  if (!target || typeof (target as { tagName?: unknown }).tagName !== 'string') return false;
  const el = target as HTMLElement;
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select' || el.isContentEditable) return true;
  if (tag !== 'input') return false;
  const type = ((el as HTMLInputElement).type || 'text').toLowerCase();
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(type);
}

/**
 * The command for a key event, or undefined. Typing in a text field never triggers a graph
 * command; only Ctrl+Enter (run, which types nothing) works there, as in ComfyUI's prompt box.
 */
export function commandFor(e: KeyLike): Command | undefined {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (mod && key === 'Enter') return 'run';
  if (isTextEntry(e.target)) return undefined;
  if (key === 'Escape') return 'escape';
  if (mod && !e.altKey) {
    if (key === 'z') return e.shiftKey ? 'redo' : 'undo';
    if (key === 'y') return 'redo';
    if (key === 'd') return 'duplicate';
    if (key === 'a') return 'select-all';
    return undefined;
  }
  if (e.altKey) return undefined;
  if (key === 'Delete' || key === 'Backspace') return 'delete';
  if (key === '.') return 'fit-view';
  if (key === '/') return 'search';
  return undefined;
}
