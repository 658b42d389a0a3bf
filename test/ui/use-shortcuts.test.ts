import { describe, expect, it } from 'vitest';
import { runCommand } from '../../app/ui/chrome/use-shortcuts';
import { isRunActive } from '../../app/store/run-reducer';
import { flushMicrotasks } from '../fixtures/fake-clock';
import { createTestStore, paidWorkflow } from '../fixtures/studio-store';

const view = { fitView: () => undefined, fitAll: () => undefined, centre: () => ({ screen: { x: 0, y: 0 }, flow: { x: 0, y: 0 } }) };

/** A store whose paid node is running (its job never answers). */
async function running() {
  const t = createTestStore(paidWorkflow(3));
  t.api.respond = () => new Promise(() => undefined);
  await t.store.getState().requestRun();
  void t.store.getState().confirmRun();
  for (let i = 0; i < 20 && t.store.getState().run.nodes.gen?.status !== 'running'; i++) await flushMicrotasks();
  expect(t.store.getState().run.nodes.gen?.status).toBe('running');
  return t;
}

describe('runCommand', () => {
  it('leaves the run going when Esc is pressed with nothing open (issue 9, item 3)', async () => {
    const t = await running();
    t.store.getState().setSelection(['gen']);
    expect(runCommand(t.store, 'escape', view)).toBe(true);
    expect(t.store.getState().selectedNodes.size).toBe(0);
    expect(runCommand(t.store, 'escape', view)).toBe(false);
    const s = t.store.getState();
    expect(isRunActive(s.run)).toBe(true);
    expect(s.run.phase).toBe('running');
    expect(t.api.calls[0]!.signal.aborted).toBe(false);
  });

  it('closes the lightbox first, then the node search, when Esc is pressed during a run', async () => {
    const t = await running();
    t.store.getState().openSearch({ screen: { x: 0, y: 0 }, flow: { x: 0, y: 0 } });
    t.store.getState().openLightbox('gen', 0);
    runCommand(t.store, 'escape', view);
    expect(t.store.getState().lightbox).toBeNull();
    expect(t.store.getState().search).not.toBeNull();
    runCommand(t.store, 'escape', view);
    expect(t.store.getState().search).toBeNull();
    expect(isRunActive(t.store.getState().run)).toBe(true);
  });

  it('closes a report with Esc before clearing the selection, and leaves a short notice to go by itself', () => {
    const t = createTestStore(paidWorkflow(3));
    t.store.getState().setSelection(['gen']);
    t.store.getState().notify('Opened “story.json”.', 'info', ['Imported a ComfyUI workflow (UI format): 8 of 10 nodes mapped.']);
    expect(runCommand(t.store, 'escape', view)).toBe(true);
    expect(t.store.getState().notice).toBeNull();
    expect(t.store.getState().selectedNodes.size).toBe(1);
    t.store.getState().notify('Linked.');
    expect(runCommand(t.store, 'escape', view)).toBe(true);
    expect(t.store.getState().notice?.text).toBe('Linked.');
    expect(t.store.getState().selectedNodes.size).toBe(0);
  });
});
