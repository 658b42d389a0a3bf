import { describe, expect, it } from 'vitest';
import { deleteSaved, openSaved, renameSavedInTabs, saveTab } from '../../app/store/library-actions';
import { MemoryWorkflowLibrary } from '../../app/store/workflow-library';
import { paidWorkflow } from '../fixtures/studio-store';
import { createTestTabs } from '../fixtures/tab-manager';

const shown = (t: ReturnType<typeof createTestTabs>) => t.tabs.state.getState().tabs.find((x) => x.id === t.tabs.state.getState().activeId)!;

describe('library actions', () => {
  it('saves a tab by name, then in place, and the tab is no longer marked changed', async () => {
    const t = createTestTabs([paidWorkflow(3)]);
    const lib = new MemoryWorkflowLibrary();
    const id = shown(t).id;
    t.store(id).getState().setParam('gen', 'seed', 5);
    expect(shown(t).dirty).toBe(true);
    const first = await saveTab(t.tabs, lib, id, { name: 'Kites' });
    if (!first.ok) throw new Error('refused');
    expect(shown(t)).toMatchObject({ title: 'Kites', dirty: false, savedId: first.entry.id, savedRevision: 1 });
    t.store(id).getState().setParam('gen', 'seed', 6);
    expect(shown(t).dirty).toBe(true);
    const second = await saveTab(t.tabs, lib, id);
    expect(second).toMatchObject({ ok: true, entry: { id: first.entry.id, revision: 2, name: 'Kites' } });
    expect(shown(t)).toMatchObject({ dirty: false, savedRevision: 2 });
    expect(await lib.list()).toHaveLength(1);
  });

  it('opens a saved workflow in a new tab once, then shows that tab again', async () => {
    const t = createTestTabs([paidWorkflow(3)]);
    const lib = new MemoryWorkflowLibrary();
    const saved = await saveTab(t.tabs, lib, shown(t).id, { name: 'Kites' });
    if (!saved.ok) throw new Error('refused');
    t.tabs.closeTab(shown(t).id);
    const opened = openSaved(t.tabs, saved.entry);
    expect(opened.ok).toBe(true);
    expect(shown(t)).toMatchObject({ title: 'Kites', savedId: saved.entry.id, dirty: false });
    t.tabs.newTab();
    openSaved(t.tabs, saved.entry);
    expect(t.tabs.state.getState().tabs.filter((x) => x.savedId === saved.entry.id)).toHaveLength(1);
    expect(shown(t).savedId).toBe(saved.entry.id);
  });

  it('deletes a saved workflow, leaving its tab as unsaved work, and undo brings it back', async () => {
    const t = createTestTabs([paidWorkflow(3)]);
    const lib = new MemoryWorkflowLibrary();
    const saved = await saveTab(t.tabs, lib, shown(t).id, { name: 'Kites' });
    if (!saved.ok) throw new Error('refused');
    const deleted = await deleteSaved(t.tabs, lib, saved.entry.id);
    expect(await lib.list()).toEqual([]);
    expect(shown(t)).toMatchObject({ dirty: true });
    expect(shown(t).savedId).toBeUndefined();
    await deleted!.undo();
    expect((await lib.list()).map((e) => e.name)).toEqual(['Kites']);
    expect(shown(t)).toMatchObject({ savedId: saved.entry.id, dirty: false });
  });

  it('renames a saved workflow and the tab editing it, whose next save is in place', async () => {
    const t = createTestTabs([paidWorkflow(3)]);
    const lib = new MemoryWorkflowLibrary();
    const saved = await saveTab(t.tabs, lib, shown(t).id, { name: 'Kites' });
    if (!saved.ok) throw new Error('refused');
    await renameSavedInTabs(t.tabs, lib, saved.entry.id, 'Beach kites');
    expect(shown(t)).toMatchObject({ title: 'Beach kites', dirty: false, savedRevision: 2 });
    expect(await saveTab(t.tabs, lib, shown(t).id)).toMatchObject({ ok: true, entry: { name: 'Beach kites', revision: 3 } });
  });
});
