import { describe, expect, it } from 'vitest';
import { openBatchRow } from '../../../app/ui/batch/open-row';
import { graph } from '../../fixtures/graph-builder';
import { createTestTabs } from '../../fixtures/tab-manager';
import { createTestStore } from '../../fixtures/studio-store';

const edited = () => graph().node('n1', 'image.load').node('n2', 'image.preview').edge('n1.image', 'n2.images').build();
const rowGraph = () => graph({ name: 'Product set' }).node('a', 'text.prompt', { text: 'row 0007' }).build();

describe('openBatchRow', () => {
  it('opens the row in a new tab named after it and leaves the edited graph as it was, when the editor has tabs', () => {
    const t = createTestTabs([edited()]);
    const first = t.tabs.state.getState().activeId;
    const before = t.store(first).getState().workflow;
    expect(openBatchRow(t.store(first), rowGraph(), '0007')).toBe(true);
    const { tabs, activeId } = t.tabs.state.getState();
    expect(tabs).toHaveLength(2);
    expect(activeId).not.toBe(first);
    expect(tabs.find((x) => x.id === activeId)?.title).toBe('Product set · row 0007');
    expect(
      t
        .store(activeId)
        .getState()
        .workflow.nodes.map((n) => n.id),
    ).toEqual(['a']);
    expect(t.store(first).getState().workflow).toBe(before);
  });

  it('replaces the current document as one undo step, when the editor has no tabs', () => {
    const { store } = createTestStore();
    store.getState().openDocument(edited());
    expect(openBatchRow(store, rowGraph(), '0007')).toBe(true);
    expect(store.getState().workflow.nodes.map((n) => n.id)).toEqual(['a']);
    store.undo();
    expect(store.getState().workflow.nodes.map((n) => n.id)).toEqual(['n1', 'n2']);
  });
});
