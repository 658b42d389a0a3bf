import { describe, expect, it } from 'vitest';
import { coerceValue, planColumns, resolveRow } from '../../app/batch/resolve-row';
import { parseRows } from '../../app/batch/rows';
import { memoryImages, png, registry, template } from './batch-fixtures';

const scenes = template('character-scenes');
const node = (w: typeof scenes, id: string) => w.nodes.find((n) => n.id === id)!;

describe('planColumns', () => {
  it('maps field ids and node.param columns to their params, the id column to nothing', () => {
    const plan = planColumns(scenes, ['character', 'scenes', 'gen.seed'], registry);
    expect(plan.problems).toEqual([]);
    expect(plan.targets.map((t) => [t.column, t.node, t.param, t.required])).toEqual([
      ['character', 'character', 'image', true],
      ['scenes', 'gen', 'prompt', true],
      ['gen.seed', 'gen', 'seed', false],
    ]);
  });

  it('names unknown columns, duplicate targets and sample fields left without a column', () => {
    const plan = planColumns(scenes, ['character', 'colour', 'gen.nope', 'maxImages', 'gen.maxImages'], registry);
    expect(plan.problems.map((p) => [p.column, p.code])).toEqual([
      ['colour', 'column-unknown'],
      ['gen.nope', 'column-unknown'],
      ['gen.maxImages', 'column-duplicate'],
      ['scenes', 'field-unset'],
    ]);
    expect(plan.problems[0]!.message).toMatch(/Template fields: character, scenes/);
    expect(plan.problems.every((p) => p.line === 1)).toBe(true);
  });

  it('accepts a sample field filled through its node.param column', () => {
    expect(planColumns(scenes, ['character.image', 'gen.prompt'], registry).problems).toEqual([]);
  });
});

describe('resolveRow', () => {
  const images = memoryImages({ 'a.png': png(1) });

  it('applies each cell like --set: images by path, text as text, numbers as JSON', async () => {
    const t = parseRows('character,scenes,maxImages,gen.seed\na.png,Generate 2 images,2,42\n', 'csv');
    const r = await resolveRow(scenes, planColumns(scenes, t.columns, registry), t.rows[0]!, images.resolve);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(node(r.workflow, 'character').params.image).toMatchObject({ kind: 'asset', name: 'a.png' });
    expect(node(r.workflow, 'gen').params).toMatchObject({ prompt: 'Generate 2 images', maxImages: 2, seed: 42 });
    expect(node(scenes, 'gen').params.prompt).not.toBe('Generate 2 images');
  });

  it('reports every bad cell of the row with its line and column', async () => {
    const t = parseRows('character,scenes,maxImages\nmissing.png,,99\n', 'csv');
    const r = await resolveRow(scenes, planColumns(scenes, t.columns, registry), t.rows[0]!, images.resolve);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => [p.line, p.column, p.code])).toEqual([
      [2, 'character', 'value-invalid'],
      [2, 'scenes', 'value-missing'],
      [2, 'maxImages', 'value-invalid'],
    ]);
    expect(r.problems[0]!.message).toMatch(/not found: missing.png/);
    expect(r.problems[2]!.message).toMatch(/Number of scenes: .*<=15 \(got "99"\)/);
  });

  it('keeps the workflow value for an empty optional cell and takes JSONL values as they are', async () => {
    const t = parseRows('{"character":"https://example.com/c.png","scenes":"x","maxImages":3,"gen.seed":null}\n', 'jsonl');
    const r = await resolveRow(scenes, planColumns(scenes, t.columns, registry), t.rows[0]!, images.resolve);
    expect(r.ok && node(r.workflow, 'gen').params).toMatchObject({ maxImages: 3, seed: node(scenes, 'gen').params.seed });
  });
});

describe('coerceValue', () => {
  it('reads the text as the param takes it', async () => {
    const gen = registry.get('seedream.edit-sequential')!.params.shape;
    const none = () => Promise.reject(new Error('no images here'));
    expect(await coerceValue('4', gen.maxImages, {}, none)).toBe(4);
    expect(await coerceValue('4', gen.prompt, {}, none)).toBe('4');
    expect(await coerceValue('not json', gen.maxImages, {}, none)).toBe('not json');
  });
});
