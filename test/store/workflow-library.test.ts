import { describe, expect, it } from 'vitest';
import { MemoryWorkflowLibrary, parseSavedWorkflow, renameSaved, saveToLibrary, searchSaved } from '../../app/store/workflow-library';
import { paidWorkflow } from '../fixtures/studio-store';

const at = (iso: string) => () => new Date(iso);

describe('workflow library', () => {
  it('saves a workflow by name with the name written into it, then in place with a new revision', async () => {
    const lib = new MemoryWorkflowLibrary();
    const first = await saveToLibrary(lib, { workflow: paidWorkflow(3), name: '  Cats ', now: at('2026-01-05T09:00:00Z') });
    if (!first.ok) throw new Error('refused');
    expect(first.entry).toMatchObject({ name: 'Cats', revision: 1, createdAt: '2026-01-05T09:00:00.000Z' });
    expect((first.entry.workflow as { meta: { name: string } }).meta.name).toBe('Cats');
    const again = await saveToLibrary(lib, { workflow: paidWorkflow(4), name: 'Cats', id: first.entry.id, revision: 1, now: at('2026-01-05T10:00:00Z') });
    expect(again).toMatchObject({ ok: true, entry: { id: first.entry.id, revision: 2, createdAt: '2026-01-05T09:00:00.000Z' } });
    expect(await lib.list()).toHaveLength(1);
    expect(parseSavedWorkflow((await lib.list())[0])).toBeDefined();
  });

  it('refuses to overwrite a revision saved elsewhere since, unless forced', async () => {
    const lib = new MemoryWorkflowLibrary();
    const first = await saveToLibrary(lib, { workflow: paidWorkflow(3), name: 'Cats' });
    if (!first.ok) throw new Error('refused');
    await saveToLibrary(lib, { workflow: paidWorkflow(3), name: 'Cats', id: first.entry.id, revision: 1 });
    const stale = await saveToLibrary(lib, { workflow: paidWorkflow(5), name: 'Cats', id: first.entry.id, revision: 1 });
    expect(stale).toMatchObject({ ok: false, reason: 'changed', other: { revision: 2 } });
    expect(await saveToLibrary(lib, { workflow: paidWorkflow(5), name: 'Cats', id: first.entry.id, revision: 1, force: true })).toMatchObject({
      ok: true,
      entry: { revision: 3 },
    });
  });

  it('refuses a name another entry has (any case), and replaces that entry when forced', async () => {
    const lib = new MemoryWorkflowLibrary();
    const cats = await saveToLibrary(lib, { workflow: paidWorkflow(3), name: 'Cats' });
    const taken = await saveToLibrary(lib, { workflow: paidWorkflow(2), name: 'cats' });
    expect(taken).toMatchObject({ ok: false, reason: 'name-taken' });
    const replaced = await saveToLibrary(lib, { workflow: paidWorkflow(2), name: 'cats', force: true });
    expect(replaced).toMatchObject({ ok: true, entry: { id: cats.ok ? cats.entry.id : '', revision: 2, name: 'cats' } });
    expect(await lib.list()).toHaveLength(1);
  });

  it('renames an entry unless another has the name, and finds entries by every word typed', async () => {
    const lib = new MemoryWorkflowLibrary();
    const a = await saveToLibrary(lib, { workflow: paidWorkflow(3), name: 'Red kite beach', now: at('2026-01-01T00:00:00Z') });
    await saveToLibrary(lib, { workflow: paidWorkflow(3), name: 'Blue kite', now: at('2026-01-02T00:00:00Z') });
    if (!a.ok) throw new Error('refused');
    expect(await renameSaved(lib, a.entry.id, 'Blue kite')).toMatchObject({ ok: false, reason: 'name-taken' });
    expect(await renameSaved(lib, a.entry.id, 'Red kite at the beach', at('2026-01-03T00:00:00Z'))).toMatchObject({
      name: 'Red kite at the beach',
      revision: 2,
    });
    const list = await lib.list();
    expect(list.map((e) => e.name)).toEqual(['Red kite at the beach', 'Blue kite']);
    expect(searchSaved(list, 'kite red').map((e) => e.name)).toEqual(['Red kite at the beach']);
    expect(searchSaved(list, '').length).toBe(2);
  });
});
