import { describe, expect, it } from 'vitest';
import { graph } from '../fixtures/graph-builder';
import { testImage } from '../fixtures/fake-run-context';
import { createTestStore, paidWorkflow } from '../fixtures/studio-store';

const ref = (node: string, port: string) => ({ node, port });

describe('connection rules in the editor', () => {
  const cases: Array<{ name: string; from: [string, string]; to: [string, string]; ok: boolean; reason?: string }> = [
    { name: 'image into an image-list input', from: ['a', 'image'], to: ['view', 'images'], ok: true },
    { name: 'text into an image-list input', from: ['p', 'text'], to: ['view', 'images'], ok: false, reason: 'type-mismatch' },
    { name: 'image-list into a text input', from: ['gen', 'images'], to: ['gen2', 'prompt'], ok: false, reason: 'type-mismatch' },
    { name: 'a node into itself', from: ['gen', 'images'], to: ['gen', 'images'], ok: false, reason: 'self-link' },
    { name: 'a link that closes a loop', from: ['gen2', 'images'], to: ['gen', 'images'], ok: false, reason: 'cycle' },
    { name: 'an input used as an output', from: ['gen', 'prompt'], to: ['view', 'images'], ok: false, reason: 'unknown-port' },
  ];
  const wf = graph()
    .node('a', 'image.load', { image: testImage(1) })
    .node('p', 'text.prompt', { text: 'Generate 2 images' })
    .node('gen', 'seedream.edit-sequential')
    .node('gen2', 'seedream.edit-sequential')
    .node('view', 'image.preview')
    .edge('a.image', 'gen.images')
    .edge('gen.images', 'gen2.images')
    .build();

  for (const c of cases) {
    it(`${c.ok ? 'accepts' : 'refuses'} ${c.name}`, () => {
      const { store } = createTestStore(wf);
      const check = store.getState().checkConnection(ref(...c.from), ref(...c.to));
      expect(check.ok).toBe(c.ok);
      if (!check.ok) {
        expect(check.reason).toBe(c.reason);
        expect(check.message.length).toBeGreaterThan(10);
      }
    });
  }

  it('does not change the workflow when a refused link is attempted', () => {
    const { store } = createTestStore(wf);
    const before = store.getState().workflow;
    const result = store.getState().connect(ref('p', 'text'), ref('view', 'images'));
    expect(result.ok).toBe(false);
    expect(store.getState().workflow).toBe(before);
  });

  it('replaces the link of a single-link input when another source is linked to it', () => {
    const { store } = createTestStore(
      graph().node('p1', 'text.prompt').node('p2', 'text.prompt').node('gen', 'seedream.edit-sequential').edge('p1.text', 'gen.prompt').build(),
    );
    expect(store.getState().checkConnection(ref('p2', 'text'), ref('gen', 'prompt')).ok).toBe(true);
    store.getState().connect(ref('p2', 'text'), ref('gen', 'prompt'));
    const into = store.getState().workflow.edges.filter((e) => e.target.port === 'prompt');
    expect(into.map((e) => e.source.node)).toEqual(['p2']);
  });

  it('appends links of a multiple input after the existing ones in order', () => {
    const { store } = createTestStore(paidWorkflow());
    const c = store.getState().addNode('image.load', { x: 0, y: 0 }, { params: { image: testImage(3) } });
    store.getState().connect(ref(c, 'image'), ref('gen', 'images'));
    const into = store
      .getState()
      .workflow.edges.filter((e) => e.target.node === 'gen' && e.target.port === 'images')
      .sort((x, y) => (x.order ?? 0) - (y.order ?? 0));
    expect(into.map((e) => [e.source.node, e.order])).toEqual([
      ['a', 0],
      ['b', 1],
      [c, 2],
    ]);
  });
});
