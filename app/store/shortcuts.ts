/**
 * Keyboard shortcuts as data: a key event maps to a command name, and the editor runs it.
 * Copy, cut and paste are handled through the browser's clipboard events, not here.
 */
export type Command =
  | 'run'
  | 'undo'
  | 'redo'
  | 'duplicate'
  | 'delete'
  | 'escape'
  | 'select-all'
  | 'fit-view'
  | 'fit-all'
  | 'search'
  | 'save'
  | 'save-as'
  | 'open-library'
  | 'next-tab'
  | 'previous-tab';

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
 * Keys that type nothing, so they work while typing too: run (as in ComfyUI's prompt box), save,
 * open, and switching tabs (Ctrl+Tab where the browser lets the page have it; Alt+PageDown/PageUp
 * everywhere).
 */
function everywhere(e: KeyLike, mod: boolean, key: string): Command | undefined {
  if (mod && key === 'Enter') return 'run';
  if (mod && !e.altKey && key === 's') return e.shiftKey ? 'save-as' : 'save';
  if (mod && !e.altKey && !e.shiftKey && key === 'o') return 'open-library';
  if (e.ctrlKey && key === 'Tab') return e.shiftKey ? 'previous-tab' : 'next-tab';
  if (e.altKey && !mod && key === 'PageDown') return 'next-tab';
  if (e.altKey && !mod && key === 'PageUp') return 'previous-tab';
  return undefined;
}

/**
 * The command for a key event, or undefined. Typing in a text field never triggers a graph
 * command; only keys that type nothing (see `everywhere`) work there.
 */
export function commandFor(e: KeyLike): Command | undefined {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  const always = everywhere(e, mod, key);
  if (always) return always;
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
  // Shift+. is '>' on most layouts: the whole graph, however small that makes it.
  if (key === '>' || (key === '.' && e.shiftKey)) return 'fit-all';
  if (key === '.') return 'fit-view';
  if (key === '/') return 'search';
  return undefined;
}

/** Canvas commands on the selected nodes (or the focused one): ComfyUI's bypass and mute, and the context menu from the keyboard. */
export type CanvasCommand = 'bypass' | 'mute' | 'menu';

/** The canvas command for a key event, or undefined; like graph commands, never while typing in a field. */
export function canvasCommandFor(e: KeyLike): CanvasCommand | undefined {
  if (isTextEntry(e.target)) return undefined;
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (mod && !e.altKey && !e.shiftKey && key === 'b') return 'bypass';
  if (mod && !e.altKey && !e.shiftKey && key === 'm') return 'mute';
  if ((e.shiftKey && !mod && key === 'F10') || key === 'ContextMenu') return 'menu';
  return undefined;
}
