import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultParams, widgetFor, widgetsFor } from '../../app/ui/node/widgets/widget-spec';
import { registry } from '../../nodes';

describe('widgetFor', () => {
  it.each([
    [
      'a textarea with a character limit',
      z.string().default('').meta({ widget: 'textarea', maxChars: 599, label: 'Prompt' }),
      { widget: 'textarea', maxChars: 599, label: 'Prompt' },
    ],
    ['a text field for a plain string', z.string().max(64).default('x'), { widget: 'text', maxLength: 64, label: 'Field' }],
    ['a number with bounds and integer step', z.int().min(1).max(15).default(3), { widget: 'number', min: 1, max: 15, step: 1, integer: true }],
    [
      'a number with a step from the hints',
      z.number().min(0).max(1).default(0.5).meta({ step: 0.05 }),
      { widget: 'number', min: 0, max: 1, step: 0.05, integer: false },
    ],
    ['a select for an enum', z.enum(['2K', '4K']).default('2K'), { widget: 'select', options: ['2K', '4K'] }],
    ['a seed with its range', z.int().min(0).max(100).default(1).meta({ widget: 'seed' }), { widget: 'seed', min: 0, max: 100 }],
    ['a toggle for a boolean', z.boolean().default(false), { widget: 'toggle' }],
    ['an image picker from the hints', z.object({ url: z.string() }).nullable().default(null).meta({ widget: 'image' }), { widget: 'image' }],
    ['a frame picker from the hints', z.string().default('1').meta({ widget: 'frames', placeholder: '1,3-5' }), { widget: 'frames', placeholder: '1,3-5' }],
    ['an unsupported marker for other shapes', z.array(z.string()).default([]), { widget: 'unsupported', schemaType: 'array' }],
  ])('draws %s', (_name, schema, expected) => {
    expect(widgetFor('field', schema)).toMatchObject(expected);
  });

  it('labels a param from its name when the hints give none', () => {
    expect(widgetFor('maxImages', z.int().default(1)).label).toBe('Max images');
  });
});

describe('widgetsFor the built-in kinds', () => {
  it('gives Seedream a prompt textarea with the 599-character limit, bounded Max images, 11 resolutions and a seed', () => {
    const specs = widgetsFor(registry.get('seedream.edit-sequential')!);
    expect(specs.map((s) => s.widget)).toEqual(['textarea', 'number', 'select', 'seed']);
    expect(specs[0]).toMatchObject({ name: 'prompt', maxChars: 599 });
    expect(specs[1]).toMatchObject({ name: 'maxImages', min: 1, max: 15, integer: true });
    expect(specs[2]!.widget === 'select' && specs[2]!.options).toHaveLength(11);
    expect(specs[3]).toMatchObject({ name: 'seed', min: 0, max: 2 ** 31 - 1 });
  });

  it.each([
    ['image.load', ['image']],
    ['text.prompt', ['textarea']],
    ['image.select', ['frames']],
    ['image.merge', ['toggle']],
    ['image.preview', []],
    ['image.save', ['text']],
  ])('draws %s with %j', (kind, widgets) => {
    expect(widgetsFor(registry.get(kind)!).map((s) => s.widget)).toEqual(widgets);
  });

  it('computes the specs once per kind', () => {
    const def = registry.get('seedream.edit-sequential')!;
    expect(widgetsFor(def)).toBe(widgetsFor(def));
  });

  it('knows each kind default params for params a file leaves out', () => {
    expect(defaultParams(registry.get('image.save')!)).toEqual({ prefix: 'sequence' });
  });
});
