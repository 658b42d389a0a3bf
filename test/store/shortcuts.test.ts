import { describe, expect, it } from 'vitest';
import { commandFor, isTextEntry, type KeyLike } from '../../app/store/shortcuts';

const el = (tagName: string, extra: Record<string, unknown> = {}) => ({ tagName, isContentEditable: false, ...extra }) as unknown as EventTarget;
const key = (k: string, mods: Partial<KeyLike> = {}, target: EventTarget | null = el('DIV')): KeyLike => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  target,
  ...mods,
});

describe('shortcuts', () => {
  it.each([
    [key('Enter', { ctrlKey: true }), 'run'],
    [key('z', { ctrlKey: true }), 'undo'],
    [key('Z', { ctrlKey: true, shiftKey: true }), 'redo'],
    [key('z', { metaKey: true, shiftKey: true }), 'redo'],
    [key('y', { ctrlKey: true }), 'redo'],
    [key('d', { ctrlKey: true }), 'duplicate'],
    [key('a', { ctrlKey: true }), 'select-all'],
    [key('Delete'), 'delete'],
    [key('Backspace'), 'delete'],
    [key('Escape'), 'escape'],
    [key('.'), 'fit-view'],
    [key('>', { shiftKey: true }), 'fit-all'],
    [key('.', { shiftKey: true }), 'fit-all'],
    [key('s', { ctrlKey: true }), 'save'],
    [key('S', { ctrlKey: true, shiftKey: true }), 'save-as'],
    [key('o', { metaKey: true }), 'open-library'],
    [key('Tab', { ctrlKey: true }), 'next-tab'],
    [key('Tab', { ctrlKey: true, shiftKey: true }), 'previous-tab'],
    [key('PageDown', { altKey: true }), 'next-tab'],
    [key('PageUp', { altKey: true }), 'previous-tab'],
  ])('maps %o to %s', (event, command) => {
    expect(commandFor(event)).toBe(command);
  });

  it.each([
    ['a textarea', el('TEXTAREA')],
    ['a text input', el('INPUT', { type: 'text' })],
    ['a number input', el('INPUT', { type: 'number' })],
    ['a select', el('SELECT')],
    ['editable content', el('DIV', { isContentEditable: true })],
  ])('never triggers graph commands while typing in %s', (_name, target) => {
    for (const e of [
      key('z', { ctrlKey: true }, target),
      key('Delete', {}, target),
      key('Backspace', {}, target),
      key('d', { ctrlKey: true }, target),
      key('Escape', {}, target),
    ]) {
      expect(commandFor(e)).toBeUndefined();
    }
  });

  it('still runs on Ctrl+Enter from the prompt box, which types nothing', () => {
    expect(commandFor(key('Enter', { ctrlKey: true }, el('TEXTAREA')))).toBe('run');
  });

  it('saves, opens and switches tabs from a text field too, since those keys type nothing', () => {
    const field = el('TEXTAREA');
    expect(commandFor(key('s', { ctrlKey: true }, field))).toBe('save');
    expect(commandFor(key('o', { ctrlKey: true }, field))).toBe('open-library');
    expect(commandFor(key('Tab', { ctrlKey: true }, field))).toBe('next-tab');
    expect(commandFor(key('Tab', {}, field))).toBeUndefined();
  });

  it('treats checkboxes as not typing', () => {
    expect(isTextEntry(el('INPUT', { type: 'checkbox' }))).toBe(false);
  });

  it('ignores plain letters', () => {
    expect(commandFor(key('z'))).toBeUndefined();
  });
});
