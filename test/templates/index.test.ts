import { describe, expect, it } from 'vitest';
import { loadWorkflow } from '../../app/graph/load-workflow';
import { builtinTemplates, findBuiltinTemplate } from '../../app/templates';
import { applyTemplateValues, isSampleField, templateFields } from '../../app/templates/template-fields';
import { registry } from '../../nodes';

describe('builtinTemplates', () => {
  it('has unique ids and a description for every template', () => {
    expect(new Set(builtinTemplates.map((t) => t.id)).size).toBe(builtinTemplates.length);
    for (const t of builtinTemplates) expect(t.description.length).toBeGreaterThan(40);
    expect(builtinTemplates.map((t) => t.id)).toEqual(['storyboard', 'character-scenes', 'product-set', 'two-step-chain']);
  });

  it.each(builtinTemplates.map((t) => [t.id, t] as const))('loads %s with no warnings', (_id, template) => {
    const result = loadWorkflow(template.workflow, registry);
    expect(result.ok && result.issues).toEqual([]);
  });

  it.each(builtinTemplates.map((t) => [t.id, t] as const))('resolves every field of %s to a param with a value', (_id, template) => {
    const result = loadWorkflow(template.workflow, registry);
    if (!result.ok) throw new Error('does not load');
    const fields = templateFields(result.workflow, registry);
    expect(fields.map((f) => f.id)).toEqual(template.fields.map((f) => f.id));
    expect(fields.filter((f) => f.problem !== undefined || f.linked)).toEqual([]);
    for (const f of fields) expect(f.schema?.safeParse(f.value).success, f.id).toBe(true);
    // Filling every field with its own value changes nothing.
    const same = applyTemplateValues(result.workflow, Object.fromEntries(fields.map((f) => [f.id, f.value])), registry);
    expect(same.errors).toEqual([]);
    expect(same.workflow).toEqual(result.workflow);
  });

  it.each(builtinTemplates.map((t) => [t.id, t] as const))('exposes the reference images, a prompt and an image count in %s', (_id, template) => {
    const result = loadWorkflow(template.workflow, registry);
    if (!result.ok) throw new Error('does not load');
    const widgets = templateFields(result.workflow, registry).map((f) => f.meta.widget);
    const images = result.workflow.nodes.filter((n) => n.kind === 'image.load').length;
    expect(widgets.filter((w) => w === 'image')).toHaveLength(images);
    expect(widgets).toContain('textarea');
    expect(templateFields(result.workflow, registry).some((f) => f.target.param === 'maxImages')).toBe(true);
  });

  it.each(builtinTemplates.map((t) => [t.id, t] as const))('marks images and prompts of %s as samples and every setting as useDefault', (_id, template) => {
    const result = loadWorkflow(template.workflow, registry);
    if (!result.ok) throw new Error('does not load');
    for (const f of templateFields(result.workflow, registry)) {
      expect(isSampleField(f), f.id).toBe(f.meta.widget === 'image' || f.meta.widget === 'textarea');
    }
  });

  it('finds a template by id and nothing for an unknown id', () => {
    expect(findBuiltinTemplate('storyboard')?.title).toBe('Storyboard from references');
    expect(findBuiltinTemplate('nope')).toBeUndefined();
  });
});
