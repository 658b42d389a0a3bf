import { isTextEntry, type KeyLike } from '../../store/shortcuts';

/** What a key does in the lightbox. */
export type LightboxAction = 'close' | 'prev-frame' | 'next-frame' | 'prev-run' | 'next-run' | 'compare' | 'compare-view';

/** Whether the key belongs to the focused control (a slider moves its divider with the arrows). */
function ownedByTarget(e: KeyLike): boolean {
  const target = e.target as { getAttribute?: (name: string) => string | null } | null;
  return !e.shiftKey && typeof target?.getAttribute === 'function' && target.getAttribute('role') === 'slider';
}

/**
 * The lightbox's keys: ←/→ frames, Shift+←/→ runs, C compare, V slider or side by side, Esc
 * closes. Modified keys (Ctrl, Alt, Meta) are left alone, and a focused field or slider keeps
 * its own keys; Esc closes from anywhere.
 */
export function lightboxAction(e: KeyLike): LightboxAction | undefined {
  if (e.key === 'Escape') return 'close';
  if (e.ctrlKey || e.metaKey || e.altKey || isTextEntry(e.target)) return undefined;
  if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
    if (ownedByTarget(e)) return undefined;
    const next = e.key === 'ArrowRight';
    if (e.shiftKey) return next ? 'next-run' : 'prev-run';
    return next ? 'next-frame' : 'prev-frame';
  }
  if (e.shiftKey) return undefined;
  const key = e.key.toLowerCase();
  if (key === 'c') return 'compare';
  if (key === 'v') return 'compare-view';
  return undefined;
}
