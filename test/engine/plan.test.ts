import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { defineNode } from '../../app/graph/registry';
import { planRun } from '../../app/engine/plan';
import { graph } from '../fixtures/graph-builder';
import { createStubKit } from '../fixtures/stub-kinds';
import { testImage } from '../fixtures/fake-run-context';
import { registry as nodeRegistry } from '../../nodes';

const brittle = defineNode({
  kind: 'stub.brittle',
  version: 3,
  title: 'Stub Brittle',
  category: 'Test',
  description: 'Throws while checking.',
  inputs: [],
  outputs: [{ name: 'out', type: 'image' }],
  isOutput: true,
  params: z.object({}),
  migrateParams() {
    throw new Error('no way back from v1');
  },
  validate() {
    throw new Error('validate exploded');
  },
  run: async () => ({ out: { kind: 'url', url: 'https://stub.test/b' } }),
});
const { registry } = createStubKit([brittle]);

/** src → t → sink, plus a branch nobody consumes. */
const base = () =>
  graph()
    .node('src', 'stub.source')
    .node('t', 'stub.transform')
    .node('sink', 'stub.sink')
    .node('unused', 'stub.transform')
    .edge('src.out', 't.in')
    .edge('t.out', 'sink.in')
    .edge('src.out', 'unused.in');

const codes = (plan: ReturnType<typeof planRun>) => plan.issues.map((i) => `${i.severity}:${i.code}:${i.nodeId ?? '-'}:${i.field ?? '-'}`);

describe('planRun', () => {
  it('plans the nodes that feed outputs in topological order when the graph is valid', () => {
    const plan = planRun(base().build(), registry);
    expect(plan).toMatchObject({ ok: true, issues: [], order: ['src', 't', 'sink'] });
    expect([...plan.nodes.keys()]).toEqual(['src', 't', 'sink']);
    expect(plan.nodes.get('t')).toMatchObject({ upstream: ['src'], params: { tag: 't', ms: 0 } });
    expect(plan.nodes.get('sink')?.cacheKey).toMatch(/^[0-9a-f]{64}$/);
  });

  it('plans only the targets and their ancestors when targets are given', () => {
    const plan = planRun(base().build(), registry, { targets: ['unused'] });
    expect(plan.order).toEqual(['src', 'unused']);
    expect(plan.ok).toBe(true);
  });

  it('reports an unknown target when a target is not a node', () => {
    const plan = planRun(base().build(), registry, { targets: ['ghost'] });
    expect(plan.ok).toBe(false);
    expect(plan.issues[0]).toMatchObject({ code: 'unknown-target', message: expect.stringMatching(/"ghost"/) });
  });

  it('reports that nothing would run when there is no output node', () => {
    const plan = planRun(graph().node('src', 'stub.source').build(), registry);
    expect(codes(plan)).toEqual(['error:no-outputs:-:-']);
  });

  it('blocks on an unknown kind in the run and only warns about one elsewhere', () => {
    const inRun = planRun(base().node('m', 'stub.mystery').edge('m.out', 'sink.in').build(), registry);
    expect(codes(inRun)).toEqual(['error:unknown-kind:m:-']);
    expect(inRun.issues[0]?.message).toMatch(/"stub.mystery"/);
    const aside = planRun(base().node('m', 'stub.mystery').build(), registry);
    expect(aside.ok).toBe(true);
    expect(codes(aside)).toEqual(['warning:unknown-kind:m:-']);
  });

  it('reports each invalid param as "field: what was wrong" when params fail the schema', () => {
    const wf = base()
      .node('p', 'stub.prompted', { maxImages: 20, prompt: '' }, { kindVersion: 2 })
      .edge('src.out', 'p.images')
      .edge('p.out', 'sink.in')
      .build();
    const plan = planRun(wf, registry);
    expect(codes(plan)).toEqual(['error:param-invalid:p:prompt', 'error:param-invalid:p:maxImages']);
    expect(plan.issues.map((i) => i.message)).toEqual([
      'Stub Prompted: prompt: must not be empty (got "")',
      'Stub Prompted: maxImages: must be at most 15 (got 20)',
    ]);
    expect(plan.nodes.has('p')).toBe(false);
    expect(plan.nodes.has('sink')).toBe(false);
  });

  it('migrates params from an older kind version before validating them', () => {
    const wf = base().node('p', 'stub.prompted', { count: 5 }, { kindVersion: 1 }).edge('src.out', 'p.images').edge('p.out', 'sink.in').build();
    const plan = planRun(wf, registry);
    expect(plan.ok).toBe(true);
    expect(plan.nodes.get('p')?.params).toEqual({ prompt: 'edit', maxImages: 5 });
  });

  it('refuses a node saved by a newer kind version', () => {
    const wf = base().node('p', 'stub.prompted', {}, { kindVersion: 3 }).edge('src.out', 'p.images').edge('p.out', 'sink.in').build();
    const plan = planRun(wf, registry);
    expect(codes(plan)).toEqual(['error:kind-version-newer:p:-']);
    expect(plan.issues[0]?.message).toMatch(/saved by a newer version .*\(v3\).*knows v2/);
  });

  it('reports a migration that throws and a validate that throws as issues', () => {
    const plan = planRun(graph().node('b', 'stub.brittle', {}, { kindVersion: 1 }).node('b3', 'stub.brittle', {}, { kindVersion: 3 }).build(), registry);
    expect(codes(plan)).toEqual(['error:migration-failed:b:-', 'error:validate-failed:b3:-']);
    expect(plan.issues.map((i) => i.message).join('\n')).toMatch(/no way back from v1[\s\S]*validate exploded/);
  });

  it('reports links to missing nodes: an error on the node fed, a warning for a link into nothing', () => {
    const wf = base().edge('ghost.out', 'sink.in', { id: 'from-ghost' }).edge('t.out', 'ghost.in', { id: 'to-ghost' }).build();
    const plan = planRun(wf, registry);
    expect(codes(plan)).toEqual(['error:unknown-node:sink:in', 'warning:unknown-node:t:out']);
    expect(plan.issues.map((i) => i.edgeId)).toEqual(['from-ghost', 'to-ghost']);
  });

  it('reports unknown ports on either side of a link', () => {
    const wf = base().node('t2', 'stub.transform').edge('src.nope', 't2.in').edge('t2.out', 'sink.bogus').build();
    const plan = planRun(wf, registry);
    expect(codes(plan)).toEqual(['error:unknown-port:t2:in', 'error:unknown-port:sink:bogus']);
    expect(plan.issues[0]?.message).toMatch(/has no output "nope"/);
    expect(plan.issues[1]?.message).toMatch(/has no input "bogus"/);
  });

  it('reports a type mismatch naming both types', () => {
    const wf = base().node('txt', 'stub.text').edge('txt.text', 'sink.in').build();
    const plan = planRun(wf, registry);
    expect(codes(plan)).toEqual(['error:type-mismatch:sink:in']);
    expect(plan.issues[0]?.message).toBe('Input "in" of Stub Sink takes image-list, but "txt.text" carries text.');
  });

  it('reports more than one link on a single input', () => {
    const wf = base().node('src2', 'stub.source').edge('src2.out', 't.in').build();
    expect(codes(planRun(wf, registry))).toEqual(['error:input-occupied:t:in']);
  });

  it('reports a required input left unlinked but accepts an input its param stands in for', () => {
    const wf = base()
      .node('t2', 'stub.transform')
      .node('p', 'stub.prompted', {}, { kindVersion: 2 })
      .edge('t2.out', 'sink.in')
      .edge('src.out', 'p.images')
      .edge('p.out', 'sink.in')
      .build();
    const plan = planRun(wf, registry);
    expect(codes(plan)).toEqual(['error:input-missing:t2:in']);
    expect(plan.issues[0]?.message).toBe('Input "in" (image-list) of Stub Transform is required but not linked.');
  });

  it('reports a cycle with its path', () => {
    const wf = graph()
      .node('src', 'stub.source')
      .node('a', 'stub.join')
      .node('b', 'stub.join')
      .node('sink', 'stub.sink')
      .edge('src.out', 'a.images')
      .edge('a.out', 'b.images')
      .edge('b.out', 'a.images')
      .edge('b.out', 'sink.in')
      .build();
    const plan = planRun(wf, registry);
    expect(codes(plan)).toEqual(['error:cycle:a:-']);
    expect(plan.issues[0]?.message).toMatch(/Stub Join \(a\) → Stub Join \(b\) → Stub Join \(a\)/);
    expect(plan.order).toEqual(['src', 'a', 'b', 'sink']);
    expect([...plan.nodes.keys()]).toEqual(['src']);
  });

  it("adds the node id to the findings of a definition's validate", () => {
    const wf = graph()
      .node('s1', 'stub.source')
      .node('s2', 'stub.source')
      .node('s3', 'stub.source')
      .node('s4', 'stub.source')
      .node('p', 'stub.prompted', { maxImages: 12 }, { kindVersion: 2 })
      .node('sink', 'stub.sink')
      .edge('s1.out', 'p.images')
      .edge('s2.out', 'p.images')
      .edge('s3.out', 'p.images')
      .edge('s4.out', 'p.images')
      .edge('p.out', 'sink.in')
      .build();
    const plan = planRun(wf, registry);
    expect(codes(plan)).toEqual(['error:too-many-images:p:images', 'warning:many-images:p:maxImages']);
  });

  it("hands a linked Prompt node's text to the node it feeds, so Seedream warns about its image count (issue 9, item 5)", () => {
    const wf = graph()
      .node('a', 'image.load', { image: testImage(1) })
      .node('b', 'image.load', { image: testImage(2) })
      .node('words', 'text.prompt', { text: 'Generate 4 images of a kite over the sea' })
      .node('gen', 'seedream.edit-sequential', { maxImages: 14 })
      .node('view', 'image.preview')
      .edge('a.image', 'gen.images')
      .edge('b.image', 'gen.images')
      .edge('words.text', 'gen.prompt')
      .edge('gen.images', 'view.images')
      .build();
    const plan = planRun(wf, nodeRegistry);
    expect(plan.ok).toBe(true);
    expect(plan.issues.filter((i) => i.nodeId === 'gen')).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'image-budget', fix: expect.objectContaining({ param: 'maxImages', value: 13 }) }),
      expect.objectContaining({ severity: 'warning', code: 'prompt-count-mismatch', fix: expect.objectContaining({ param: 'maxImages', value: 4 }) }),
    ]);
  });

  it('only warns about problems on nodes the run does not need', () => {
    const wf = base().node('t2', 'stub.transform', { ms: -1 }).node('t3', 'stub.transform').build();
    const plan = planRun(wf, registry);
    expect(plan.ok).toBe(true);
    expect(codes(plan)).toEqual(['warning:param-invalid:t2:ms', 'warning:input-missing:t2:in', 'warning:input-missing:t3:in']);
  });

  it('keeps every problem in one plan when several are present', () => {
    const wf = base()
      .node('m', 'stub.mystery')
      .edge('m.out', 'sink.in')
      .node('txt', 'stub.text')
      .edge('txt.text', 'sink.in')
      .node('t2', 'stub.transform', { tag: 5 })
      .edge('t2.out', 'sink.in')
      .build();
    const plan = planRun(wf, registry);
    expect(plan.ok).toBe(false);
    expect(codes(plan)).toEqual(['error:unknown-kind:m:-', 'error:param-invalid:t2:tag', 'error:type-mismatch:sink:in', 'error:input-missing:t2:in']);
    expect(plan.issues.every((i) => i.nodeId)).toBe(true);
  });
});
