import { describe, expect, it } from 'vitest';
import { loadWorkflow } from '../../app/graph/load-workflow';
import { zTemplateFieldId } from '../../app/graph/workflow-schema';
import { makeTemplate, templateFieldCandidates } from '../../app/templates/make-template';
import { applyTemplateValues, templateFields } from '../../app/templates/template-fields';
import { registry } from '../../nodes';
import { graph } from '../fixtures/graph-builder';

const url = (n: number) => ({ kind: 'url', url: `https://example.com/${n}.png` });

/** Two references and a linked prompt into Seedream, saved. */
const chain = () =>
  graph({ name: 'Draft', description: 'old words', createdAt: '2024-01-01' })
    .node('ref', 'image.load', { image: url(1) }, { title: 'Hero' })
    .node('ref_2', 'image.load', { image: url(2) })
    .node('story', 'text.prompt', { text: 'Generate 3 images' })
    .node('gen', 'seedream.edit-sequential', { maxImages: 3 })
    .node('gen2', 'seedream.edit-sequential', { prompt: 'Generate 2 images', maxImages: 2 })
    .node('save', 'image.save')
    .edge('ref.image', 'gen.images', { order: 0 })
    .edge('ref_2.image', 'gen.images', { order: 1 })
    .edge('story.text', 'gen.prompt')
    .edge('gen.images', 'gen2.images')
    .edge('gen2.images', 'save.images')
    .build();

const field = (id: string, node: string, param: string, label = id) => ({ id, label, target: { node, param } });

describe('makeTemplate', () => {
  it('sets name, description and fields, keeps other meta, and the result loads and resolves', () => {
    const r = makeTemplate(
      chain(),
      { name: '  Hero story ', description: 'Two refs, one story.', fields: [field('hero', 'ref', 'image', 'Hero'), field('story', 'story', 'text')] },
      registry,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.workflow.meta).toEqual({
      name: 'Hero story',
      description: 'Two refs, one story.',
      createdAt: '2024-01-01',
      template: { fields: [field('hero', 'ref', 'image', 'Hero'), field('story', 'story', 'text')] },
    });
    const reloaded = loadWorkflow(JSON.stringify(r.workflow), registry);
    expect(reloaded.ok && reloaded.issues).toEqual([]);
    expect(reloaded.ok && templateFields(reloaded.workflow, registry).every((f) => f.problem === undefined)).toBe(true);
  });

  it('keeps the workflow description when none is given and removes it when it is blank', () => {
    const keep = makeTemplate(chain(), { name: 'T', fields: [] }, registry);
    const drop = makeTemplate(chain(), { name: 'T', description: '  ', fields: [] }, registry);
    expect(keep.ok && keep.workflow.meta.description).toBe('old words');
    expect(drop.ok && 'description' in drop.workflow.meta).toBe(false);
  });

  it('reports every problem, naming the field, when the spec is wrong', () => {
    const r = makeTemplate(
      chain(),
      { name: ' ', fields: [field('ok', 'ref', 'image'), field('Bad.Id', 'ref_2', 'image'), field('ok', 'story', 'text')] },
      registry,
    );
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual([
      { message: 'Give the template a name.' },
      { fieldId: 'Bad.Id', message: expect.stringMatching(/^Bad\.Id: id — a field id starts with a lowercase letter/) },
      { fieldId: 'ok', message: expect.stringMatching(/duplicate field id "ok"/) },
    ]);
  });

  it('refuses fields whose target is missing or replaced by a linked input', () => {
    const r = makeTemplate(chain(), { name: 'T', fields: [field('gone', 'nope', 'image', 'Gone'), field('prompt', 'gen', 'prompt', 'Prompt')] }, registry);
    expect(!r.ok && r.errors).toEqual([
      { fieldId: 'gone', message: 'Gone: this field points at node "nope", which is not in the workflow.' },
      { fieldId: 'prompt', message: expect.stringMatching(/^Prompt: "prompt" on "gen" is replaced by a linked input/) },
    ]);
  });
});

describe('templateFieldCandidates', () => {
  it('offers every param with a valid, unique id and pre-ticks images, prompts and counts', () => {
    const candidates = templateFieldCandidates(chain(), registry);
    const ids = candidates.map((c) => c.field.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(zTemplateFieldId.safeParse(id).success, id).toBe(true);
    const suggested = candidates.filter((c) => c.suggested).map((c) => `${c.field.id}→${c.field.target.node}.${c.field.target.param}`);
    expect(suggested).toEqual([
      'ref→ref.image',
      'ref-2→ref_2.image',
      'story→story.text',
      'maxImages→gen.maxImages',
      'gen2-prompt→gen2.prompt',
      'gen2-maxImages→gen2.maxImages',
    ]);
    expect(candidates.find((c) => c.field.id === 'ref')!.field.label).toBe('Hero');
    expect(candidates.find((c) => c.field.target.node === 'gen' && c.field.target.param === 'prompt')).toMatchObject({ linked: true, suggested: false });
  });

  it('offers images and prompts as samples and every other param with useDefault', () => {
    const byTarget = Object.fromEntries(
      templateFieldCandidates(chain(), registry).map((c) => [`${c.field.target.node}.${c.field.target.param}`, c.field.useDefault]),
    );
    expect(byTarget).toMatchObject({
      'ref.image': undefined,
      'story.text': undefined,
      'gen2.prompt': undefined,
      'gen.maxImages': true,
      'gen.resolution': true,
      'gen.seed': true,
      'save.prefix': true,
    });
  });

  it('keeps the useDefault flags it is given, so the saved template says which values are samples', () => {
    const made = makeTemplate(
      chain(),
      { name: 'Flags', fields: [field('ref', 'ref', 'image'), { ...field('count', 'gen2', 'maxImages'), useDefault: true }] },
      registry,
    );
    if (!made.ok) throw new Error(JSON.stringify(made.errors));
    expect(made.workflow.meta.template?.fields.map((f) => [f.id, f.useDefault])).toEqual([
      ['ref', undefined],
      ['count', true],
    ]);
  });

  it('gives candidates that makeTemplate accepts and applyTemplateValues fills', () => {
    const wf = chain();
    const fields = templateFieldCandidates(wf, registry)
      .filter((c) => c.suggested)
      .map((c) => c.field);
    const made = makeTemplate(wf, { name: 'All', fields }, registry);
    if (!made.ok) throw new Error(JSON.stringify(made.errors));
    expect(applyTemplateValues(made.workflow, { maxImages: 5 }, registry).ok).toBe(true);
  });
});
