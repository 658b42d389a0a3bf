import { describe, expect, it } from 'vitest';
import { loadWorkflow } from '../../../app/graph/load-workflow';
import type { Workflow } from '../../../app/graph/workflow-schema';
import { missingTemplateFields } from '../../../app/server/cli/required-fields';
import { findBuiltinTemplate } from '../../../app/templates';
import { registry } from '../../../nodes';
import { graph } from '../../fixtures/graph-builder';

function builtin(id: string): Workflow {
  const loaded = loadWorkflow(findBuiltinTemplate(id)!.workflow, registry);
  if (!loaded.ok) throw new Error(`${id} does not load`);
  return loaded.workflow;
}

const missingIds = (id: string, sets: string[]) => missingTemplateFields(builtin(id), sets, registry, { source: id, out: 'out' }).missing.map((f) => f.id);

describe('missingTemplateFields', () => {
  it.each([
    ['storyboard', ['ref1', 'ref2', 'ref3', 'story']],
    ['character-scenes', ['character', 'scenes']],
    ['product-set', ['product', 'detail', 'settings']],
    ['two-step-chain', ['reference', 'restylePrompt', 'continuePrompt']],
  ])('asks for the pictures and prompts of %s, not its counts and choices, when nothing is set', (id, expected) => {
    expect(missingIds(id, [])).toEqual(expected);
  });

  it('counts a field as set by its id or by the node param it fills', () => {
    expect(missingIds('storyboard', ['ref1=a.png', 'ref2.image=b.png', 'story.text=Generate 2 images', 'maxImages=2'])).toEqual(['ref3']);
  });

  it('names each field, says the samples are not submitted and gives a runnable example', () => {
    const r = missingTemplateFields(builtin('character-scenes'), ['maxImages=2'], registry, { source: 'character-scenes', out: 'my out' });
    expect(r.example).toBe(`npm run cli -- run character-scenes --set character=./character.png --set scenes="…" --out 'my out'`);
    expect(r.message).toBe(
      'Template "character-scenes" needs values for: character (Character), scenes (Scenes). Its sample pictures and text are not submitted. Example:\n' +
        `  ${r.example}\n` +
        'Image fields take a file path or an https URL; "npm run cli -- templates" lists every field.',
    );
  });

  it('misses nothing when every sample field is set', () => {
    expect(
      missingTemplateFields(builtin('product-set'), ['product=a.png', 'detail=b.png', 'settings=x'], registry, { source: 'product-set', out: 'o' }),
    ).toEqual({
      missing: [],
      example: '',
      message: '',
    });
  });

  it('misses nothing in a workflow that is not a template', () => {
    const wf = graph().node('p', 'text.prompt', { text: 'hi' }).build();
    expect(missingTemplateFields(wf, [], registry, { source: 'plain.json', out: 'o' }).missing).toEqual([]);
  });
});
