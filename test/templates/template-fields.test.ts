import { describe, expect, it } from 'vitest';
import { loadWorkflow } from '../../app/graph/load-workflow';
import type { Workflow } from '../../app/graph/workflow-schema';
import { findBuiltinTemplate } from '../../app/templates';
import { applyTemplateValues, checkTemplateValue, isSampleField, needsValue, templateFields, zTemplateMeta } from '../../app/templates/template-fields';
import { registry } from '../../nodes';
import { graph } from '../fixtures/graph-builder';

function builtin(id: string): Workflow {
  const loaded = loadWorkflow(findBuiltinTemplate(id)!.workflow, registry);
  if (!loaded.ok) throw new Error(`${id} does not load`);
  return loaded.workflow;
}

const target = (node: string, param: string) => ({ node, param });

describe('zTemplateMeta', () => {
  it.each([
    ['a valid field', [{ id: 'maxImages', label: 'Max', target: target('gen', 'maxImages') }], true],
    ['ids with digits and dashes', [{ id: 'ref-2b', label: 'R', target: target('r', 'image') }], true],
    ['an id with a dot', [{ id: 'gen.max', label: 'M', target: target('gen', 'maxImages') }], false],
    ['an id starting with a capital', [{ id: 'Prompt', label: 'P', target: target('p', 'text') }], false],
    ['an id starting with a digit', [{ id: '1st', label: 'F', target: target('p', 'text') }], false],
    ['an empty label', [{ id: 'a', label: '', target: target('p', 'text') }], false],
    ['a default meant for use', [{ id: 'a', label: 'A', target: target('gen', 'maxImages'), useDefault: true }], true],
    ['useDefault that is not a boolean', [{ id: 'a', label: 'A', target: target('gen', 'maxImages'), useDefault: 'yes' }], false],
    [
      'duplicate ids',
      [
        { id: 'a', label: 'A', target: target('p', 'text') },
        { id: 'a', label: 'B', target: target('q', 'text') },
      ],
      false,
    ],
    [
      'two fields on one param',
      [
        { id: 'a', label: 'A', target: target('p', 'text') },
        { id: 'b', label: 'B', target: target('p', 'text') },
      ],
      false,
    ],
  ])('accepts or refuses %s', (_case, fields, ok) => {
    expect(zTemplateMeta.safeParse({ fields }).success).toBe(ok);
  });
});

describe('templateFields', () => {
  it('resolves each field to its param schema, hints and current value when the targets exist', () => {
    const [ref1, , , story, maxImages] = templateFields(builtin('storyboard'), registry);
    expect(ref1).toMatchObject({ id: 'ref1', kind: 'image.load', meta: { widget: 'image' }, value: { kind: 'url' }, linked: false });
    expect(story).toMatchObject({ id: 'story', meta: { widget: 'textarea' }, value: expect.stringMatching(/^Generate 4 images/) });
    expect(maxImages).toMatchObject({ id: 'maxImages', label: 'Panels', meta: { widget: 'number', label: 'Max images' }, value: 4 });
    expect(maxImages!.schema!.safeParse(16).success).toBe(false);
  });

  it('reports a problem instead of a schema when the target node or param is missing', () => {
    const wf = graph({
      template: {
        fields: [
          { id: 'a', label: 'Gone', target: target('nope', 'x') },
          { id: 'b', label: 'Bad', target: target('p', 'colour') },
        ],
      },
    })
      .node('p', 'text.prompt', { text: 'hi' })
      .build();
    const [a, b] = templateFields(wf, registry);
    expect(a).toMatchObject({ problem: expect.stringMatching(/node "nope".*not in the workflow/) });
    expect(b).toMatchObject({ problem: expect.stringMatching(/param "colour".*it has: text/) });
    expect(a!.schema).toBeUndefined();
  });

  it('reports a problem when the target node is of an unknown kind', () => {
    const wf = graph({ template: { fields: [{ id: 'a', label: 'A', target: target('x', 'y') }] } })
      .node('x', 'vendor.thing')
      .build();
    expect(templateFields(wf, registry)[0]).toMatchObject({ kind: 'vendor.thing', problem: expect.stringMatching(/does not know/) });
  });

  it('marks a param replaced by a linked input as linked', () => {
    const wf = graph({ template: { fields: [{ id: 'prompt', label: 'Prompt', target: target('gen', 'prompt') }] } })
      .node('p', 'text.prompt', { text: 'Generate 2 images' })
      .node('gen', 'seedream.edit-sequential')
      .edge('p.text', 'gen.prompt')
      .build();
    expect(templateFields(wf, registry)[0]).toMatchObject({ linked: true, value: '' });
  });

  it('returns no fields when the workflow is not a template', () => {
    expect(templateFields(graph().node('p', 'text.prompt').build(), registry)).toEqual([]);
  });
});

describe('applyTemplateValues', () => {
  it('fills the targeted params and leaves the input untouched when every value is valid', () => {
    const wf = builtin('character-scenes');
    const before = structuredClone(wf);
    const image = { kind: 'url', url: 'https://example.com/me.png' };
    const r = applyTemplateValues(wf, { character: image, scenes: 'Generate 2 images of me at sea', maxImages: 2 }, registry);
    expect(r).toMatchObject({ ok: true, errors: [] });
    const gen = r.workflow.nodes.find((n) => n.id === 'gen')!;
    expect(gen.params).toMatchObject({ prompt: 'Generate 2 images of me at sea', maxImages: 2, resolution: '1728x2304 (3:4)' });
    expect(r.workflow.nodes.find((n) => n.id === 'character')!.params.image).toEqual(image);
    expect(wf).toEqual(before);
  });

  it('reports each refused value naming the field label, and applies the rest', () => {
    const r = applyTemplateValues(
      builtin('storyboard'),
      { maxImages: 99, ref1: { kind: 'url', url: 'http://insecure/x.png' }, story: 'Generate 2 images' },
      registry,
    );
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([
      { fieldId: 'maxImages', message: expect.stringMatching(/^Panels: Too big/) },
      { fieldId: 'ref1', message: expect.stringMatching(/^Reference 1: image URLs must be https/) },
    ]);
    expect(r.workflow.nodes.find((n) => n.id === 'story')!.params.text).toBe('Generate 2 images');
    expect(r.workflow.nodes.find((n) => n.id === 'gen')!.params.maxImages).toBe(4);
  });

  it('lists the fields when a value names no field', () => {
    const r = applyTemplateValues(builtin('product-set'), { colour: 'red' }, registry);
    expect(r.errors).toEqual([{ fieldId: 'colour', message: 'There is no field "colour" in this template. Fields: product, detail, settings, maxImages.' }]);
  });

  it('keeps the current value when a value is undefined', () => {
    const wf = builtin('two-step-chain');
    const r = applyTemplateValues(wf, { frames: undefined }, registry);
    expect(r.ok).toBe(true);
    expect(r.workflow.nodes).toBe(wf.nodes);
  });

  it('refuses values for a field whose target is missing', () => {
    const wf = graph({ template: { fields: [{ id: 'a', label: 'Gone', target: target('nope', 'x') }] } }).build();
    expect(applyTemplateValues(wf, { a: 1 }, registry).errors[0]!.message).toMatch(/^Gone: this field points at node "nope"/);
  });
});

describe('checkTemplateValue', () => {
  it('returns the parsed value when the schema accepts it', () => {
    const field = templateFields(builtin('two-step-chain'), registry).find((f) => f.id === 'frames')!;
    expect(checkTemplateValue(field, '2-')).toEqual({ ok: true, value: '2-' });
    expect(checkTemplateValue(field, 5)).toMatchObject({ ok: false, message: expect.stringMatching(/^Frames to continue from:/) });
  });
});

describe('isSampleField', () => {
  it.each([
    ['no flag (templates saved before it existed)', undefined, true],
    ['useDefault: false', false, true],
    ['useDefault: true', true, false],
  ])('says whether the value is a sample when the field has %s', (_case, useDefault, sample) => {
    const field = { id: 'a', label: 'A', target: target('gen', 'maxImages'), ...(useDefault === undefined ? {} : { useDefault }) };
    expect(isSampleField(field)).toBe(sample);
  });
});

describe('needsValue', () => {
  it('asks for the sample fields that take effect, not for defaults, linked params or broken fields', () => {
    const wf = graph({
      template: {
        fields: [
          { id: 'ref', label: 'Ref', target: target('ref', 'image') },
          { id: 'count', label: 'Count', target: target('gen', 'maxImages'), useDefault: true },
          { id: 'prompt', label: 'Prompt', target: target('gen', 'prompt') },
          { id: 'gone', label: 'Gone', target: target('nope', 'x') },
        ],
      },
    })
      .node('ref', 'image.load', { image: { kind: 'url', url: 'https://example.com/1.png' } })
      .node('story', 'text.prompt', { text: 'Generate 2 images' })
      .node('gen', 'seedream.edit-sequential', { maxImages: 2 })
      .edge('ref.image', 'gen.images', { order: 0 })
      .edge('story.text', 'gen.prompt')
      .build();
    expect(templateFields(wf, registry).map((f) => [f.id, needsValue(f)])).toEqual([
      ['ref', true],
      ['count', false],
      ['prompt', false],
      ['gone', false],
    ]);
  });
});
