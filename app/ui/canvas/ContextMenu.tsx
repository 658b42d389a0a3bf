import { useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { NodeColor } from '../../graph/workflow-schema';
import { COLOR_CHOICES, type MenuEntry } from './canvas-menus';

/** Space kept between a menu and the window's edges. */
const MARGIN = 6;

const colorLabel = (c: NodeColor | null) => (c === null ? 'No colour' : c.replace('-', ' '));

/** Where a menu of `size` opened at `at` fits inside the window: flipped left or up when it would run off. */
export function placeMenu(
  at: { x: number; y: number },
  size: { width: number; height: number },
  view: { width: number; height: number },
): { x: number; y: number } {
  const x = at.x + size.width + MARGIN > view.width ? at.x - size.width : at.x;
  const y = at.y + size.height + MARGIN > view.height ? at.y - size.height : at.y;
  return {
    x: Math.max(MARGIN, Math.min(x, view.width - size.width - MARGIN)),
    y: Math.max(MARGIN, Math.min(y, view.height - size.height - MARGIN)),
  };
}

/**
 * A context menu: buttons in a column (a colour row as swatches), opened at `at` and kept inside
 * the window. Keyboard: focus starts on the first item; arrows move, Home/End jump, Enter or
 * Space choose, Esc (or a click elsewhere) closes and gives focus back.
 */
export function ContextMenu({ entries, at, label, onClose }: { entries: MenuEntry[]; at: { x: number; y: number }; label: string; onClose(): void }) {
  const ref = useRef<HTMLDivElement>(null);
  const [place, setPlace] = useState<{ x: number; y: number } | null>(null);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const rect = el.getBoundingClientRect();
    setPlace(placeMenu(at, { width: rect.width, height: rect.height }, { width: window.innerWidth, height: window.innerHeight }));
    el.querySelector<HTMLElement>('[role^="menuitem"]:not([disabled])')?.focus();
  }, [at]);

  const items = () => [...(ref.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]:not([disabled])') ?? [])];
  const onKeyDown = (e: KeyboardEvent) => {
    const list = items();
    const i = list.indexOf(document.activeElement as HTMLElement);
    const go = (j: number) => list[(j + list.length) % list.length]?.focus();
    // Esc closes the menu only, not what the window's Esc closes next (a report, the selection).
    if (e.key === 'Escape') e.preventDefault();
    if (e.key === 'Escape' || e.key === 'Tab') onClose();
    else if (e.key === 'ArrowDown') go(i + 1);
    else if (e.key === 'ArrowUp') go(i < 0 ? list.length - 1 : i - 1);
    else if (e.key === 'ArrowRight' && (document.activeElement as HTMLElement | null)?.dataset.swatch !== undefined) go(i + 1);
    else if (e.key === 'ArrowLeft' && (document.activeElement as HTMLElement | null)?.dataset.swatch !== undefined) go(i - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(list.length - 1);
    else return;
    // The editor's own shortcuts (Esc deselects, arrows move nodes) must not see keys meant for the menu.
    e.preventDefault();
    e.stopPropagation();
  };
  const choose = (run: () => void) => {
    onClose();
    run();
  };

  return (
    <div
      className="menu-backdrop"
      onMouseDown={onClose}
      onContextMenu={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <div
        ref={ref}
        role="menu"
        aria-label={label}
        className="context-menu"
        data-testid="context-menu"
        style={{ left: (place ?? at).x, top: (place ?? at).y, visibility: place ? 'visible' : 'hidden' }}
        onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={onKeyDown}
      >
        {entries.map((entry, i) => {
          if (entry === 'separator') return <div key={`sep-${i}`} role="separator" className="menu-separator" />;
          if (entry.id === 'colors' && 'pick' in entry) {
            return (
              <div key="colors" className="menu-colors" role="group" aria-label="Colour">
                {COLOR_CHOICES.map((c) => (
                  <button
                    key={c ?? 'none'}
                    type="button"
                    role="menuitemradio"
                    aria-checked={(entry.current ?? null) === c}
                    aria-label={colorLabel(c)}
                    title={colorLabel(c)}
                    data-swatch=""
                    data-testid={`menu-color-${c ?? 'none'}`}
                    className={`menu-swatch ${c ? `swatch-${c}` : 'swatch-none'}`}
                    onClick={() => choose(() => entry.pick(c))}
                  />
                ))}
              </div>
            );
          }
          if (!('run' in entry)) return null;
          return (
            <button
              key={entry.id}
              type="button"
              role={entry.checked === undefined ? 'menuitem' : 'menuitemcheckbox'}
              {...(entry.checked === undefined ? {} : { 'aria-checked': entry.checked })}
              className="menu-item"
              data-testid={`menu-${entry.id}`}
              disabled={entry.disabled !== undefined}
              title={entry.disabled}
              onClick={() => choose(entry.run)}
            >
              <span className="menu-check" aria-hidden>
                {entry.checked ? '✓' : ''}
              </span>
              <span className="menu-label">{entry.label}</span>
              {entry.hint && <span className="menu-hint">{entry.hint}</span>}
            </button>
          );
        })}
      </div>
    </div>
  );
}
