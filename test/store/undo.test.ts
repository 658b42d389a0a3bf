import { describe, expect, it } from 'vitest';
import { createTestStore, paidWorkflow } from '../fixtures/studio-store';

const pos = (x: number, y = 0) => new Map([['gen', { x, y }]]);
const genPosition = (s: ReturnType<typeof createTestStore>['store']) => s.getState().workflow.nodes.find((n) => n.id === 'gen')!.position;
const prompt = (s: ReturnType<typeof createTestStore>['store']) => s.getState().workflow.nodes.find((n) => n.id === 'gen')!.params.prompt;
const steps = (s: ReturnType<typeof createTestStore>['store']) => s.temporal.getState().pastStates.length;

describe('undo grouping', () => {
  it('records a whole drag as one step when many moves happen before endDrag', () => {
    const t = createTestStore(paidWorkflow());
    const start = genPosition(t.store);
    for (let x = 1; x <= 30; x++) {
      t.tick(5_000); // even slow drags stay one step: a drag group is open until it ends
      t.store.getState().moveNodes(pos(x * 10), true);
    }
    t.store.getState().endDrag();
    expect(steps(t.store)).toBe(1);
    t.store.undo();
    expect(genPosition(t.store)).toEqual(start);
    t.store.redo();
    expect(genPosition(t.store)).toEqual({ x: 300, y: 0 });
  });

  it('records two drags as two steps when a drag ends between them', () => {
    const t = createTestStore(paidWorkflow());
    t.store.getState().moveNodes(pos(10), true);
    t.store.getState().moveNodes(pos(20), true);
    t.store.getState().endDrag();
    t.store.getState().moveNodes(pos(30), true);
    t.store.getState().endDrag();
    expect(steps(t.store)).toBe(2);
    t.store.undo();
    expect(genPosition(t.store)).toEqual({ x: 20, y: 0 });
  });

  it('records a burst of typing as one step when keystrokes come within a second', () => {
    const t = createTestStore(paidWorkflow());
    const text = 'Generate 3 images of a lighthouse';
    for (let i = 1; i <= text.length; i++) {
      t.tick(120);
      t.store.getState().setParam('gen', 'prompt', text.slice(0, i));
    }
    expect(steps(t.store)).toBe(1);
    t.store.undo();
    expect(prompt(t.store)).toBe('Generate 3 images of a cat');
  });

  it('starts a new step when typing resumes after a pause', () => {
    const t = createTestStore(paidWorkflow());
    t.store.getState().setParam('gen', 'prompt', 'a');
    t.tick(100);
    t.store.getState().setParam('gen', 'prompt', 'ab');
    t.tick(2_000);
    t.store.getState().setParam('gen', 'prompt', 'abc');
    expect(steps(t.store)).toBe(2);
    t.store.undo();
    expect(prompt(t.store)).toBe('ab');
  });

  it('starts a new step when another param is edited, even within the window', () => {
    const t = createTestStore(paidWorkflow());
    t.store.getState().setParam('gen', 'prompt', 'x');
    t.store.getState().setParam('gen', 'seed', 7);
    expect(steps(t.store)).toBe(2);
  });

  it('starts a new step after the field is left (commit), even within the window', () => {
    const t = createTestStore(paidWorkflow());
    t.store.getState().setParam('gen', 'prompt', 'x');
    t.store.getState().closeHistoryGroup();
    t.store.getState().setParam('gen', 'prompt', 'xy');
    expect(steps(t.store)).toBe(2);
  });

  it('does not record selection, popups or run state when they change', () => {
    const t = createTestStore(paidWorkflow());
    const s = t.store.getState();
    s.setSelection(['gen']);
    s.openSearch({ screen: { x: 0, y: 0 }, flow: { x: 0, y: 0 } });
    s.setRunPanelOpen(false);
    s.notify('hello');
    t.store.setState({ run: { ...s.run, phase: 'running' } });
    expect(steps(t.store)).toBe(0);
  });

  it('makes every structural edit its own step when edits are not grouped', () => {
    const t = createTestStore(paidWorkflow());
    const a = t.store.getState().addNode('text.prompt', { x: 0, y: 0 });
    t.store.getState().connect({ node: a, port: 'text' }, { node: 'gen', port: 'prompt' });
    t.store.getState().removeElements(['view']);
    expect(steps(t.store)).toBe(3);
    t.store.undo();
    expect(t.store.getState().workflow.nodes.some((n) => n.id === 'view')).toBe(true);
    t.store.undo();
    expect(t.store.getState().workflow.edges.some((e) => e.source.node === a)).toBe(false);
  });

  it('clears redo when a new edit follows an undo', () => {
    const t = createTestStore(paidWorkflow());
    t.store.getState().addNode('text.prompt', { x: 0, y: 0 });
    t.store.undo();
    expect(t.store.temporal.getState().futureStates).toHaveLength(1);
    t.store.getState().addNode('image.preview', { x: 0, y: 0 });
    expect(t.store.temporal.getState().futureStates).toHaveLength(0);
  });

  it('re-plans after undo so warnings match the restored workflow', () => {
    const t = createTestStore(paidWorkflow(3));
    t.store.getState().setParam('gen', 'prompt', 'Generate 5 images of a cat');
    expect(
      t.store
        .getState()
        .analysis.issuesByNode.get('gen')
        ?.map((i) => i.code),
    ).toContain('prompt-count-mismatch');
    t.store.undo();
    expect(
      t.store
        .getState()
        .analysis.issuesByNode.get('gen')
        ?.map((i) => i.code) ?? [],
    ).not.toContain('prompt-count-mismatch');
  });

  it('forgets history when a workflow replaces the current one without undo', () => {
    const t = createTestStore(paidWorkflow());
    t.store.getState().addNode('text.prompt', { x: 0, y: 0 });
    t.store.getState().replaceWorkflow(paidWorkflow(2), { undoable: false });
    expect(steps(t.store)).toBe(0);
  });

  it('lets opening a file be undone when replaced undoably', () => {
    const t = createTestStore(paidWorkflow(3));
    t.store.getState().replaceWorkflow(paidWorkflow(5));
    t.store.undo();
    expect(t.store.getState().workflow.nodes.find((n) => n.id === 'gen')!.params.maxImages).toBe(3);
  });
});
