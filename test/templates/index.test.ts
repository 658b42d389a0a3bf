import { describe, expect, it } from 'vitest';
import { loadWorkflow } from '../../app/graph/load-workflow';
import { builtinTemplates, findBuiltinTemplate } from '../../app/templates';
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

  it('finds a template by id and nothing for an unknown id', () => {
    expect(findBuiltinTemplate('storyboard')?.title).toBe('Storyboard from references');
    expect(findBuiltinTemplate('nope')).toBeUndefined();
  });
});
