import { describe, expect, it } from 'vitest';
import { parseClipboardText, serializeSelection, offsetTo } from '../../app/store/clipboard';
import { registry } from '../../nodes';
import { createTestStore, paidWorkflow } from '../fixtures/studio-store';

describe('clipboard', () => {
  it('round-trips selected nodes and the links between them through text', () => {
    const wf = paidWorkflow();
    const text = serializeSelection(wf, new Set(['a', 'gen']))!;
    const parsed = parseClipboardText(text, registry)!;
    expect(parsed.nodes.map((n) => n.id)).toEqual(['a', 'gen']);
    expect(parsed.edges.map((e) => e.id)).toEqual(['e1']);
  });

  it('pastes into another store (another tab) with fresh ids', () => {
    const source = paidWorkflow();
    const text = serializeSelection(source, new Set(['a', 'b', 'gen']))!;
    const { store } = createTestStore(paidWorkflow());
    const fragment = parseClipboardText(text, registry)!;
    const ids = store.getState().insertFragment(fragment, offsetTo(fragment.nodes, { x: 500, y: 500 }));
    expect(ids).toHaveLength(3);
    expect(ids.some((id) => ['a', 'b', 'gen'].includes(id))).toBe(false);
    const pasted = store.getState().workflow.nodes.filter((n) => ids.includes(n.id));
    expect(Math.min(...pasted.map((n) => n.position.x))).toBe(500);
  });

  it('accepts a whole workflow file as pasted text', () => {
    expect(parseClipboardText(JSON.stringify(paidWorkflow()), registry)?.nodes).toHaveLength(4);
  });

  it.each([['plain words'], ['{not json'], ['{"type":"something-else"}'], ['[]']])('ignores %s', (text) => {
    expect(parseClipboardText(text, registry)).toBeUndefined();
  });

  it('gives nothing to copy when no node is selected', () => {
    expect(serializeSelection(paidWorkflow(), new Set())).toBeUndefined();
  });
});
