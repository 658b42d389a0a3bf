import { describe, expect, it } from 'vitest';
import { comfyFormatOf, readComfyGraph } from '../../../app/graph/comfyui/comfy-graph';
import { isComfyWorkflow } from '../../../app/graph/comfyui/import-comfy-workflow';
import { savePrefix } from '../../../app/graph/comfyui/counterparts';
import { namedWidgets } from '../../../app/graph/comfyui/widget-order';

describe('comfyFormatOf', () => {
  it.each([
    ['a UI file (0.4)', { last_node_id: 1, last_link_id: 0, nodes: [], links: [], version: 0.4 }, 'ui'],
    ['a UI file (schema 1)', { version: 1, state: { lastNodeId: 1 }, nodes: [] }, 'ui'],
    ['an API file', { '3': { class_type: 'LoadImage', inputs: { image: 'a.png' } } }, 'api'],
    ['our workflow', { schemaVersion: 2, nodes: [], edges: [] }, undefined],
    ['our prototype workflow (v1)', { name: 'x', nodes: [{ id: 'a', type: 'image.load' }], edges: [] }, undefined],
    ['an API file with one odd entry', { '3': { class_type: 'LoadImage' }, extra: 1 }, undefined],
    ['an empty object', {}, undefined],
    ['a /prompt body', { client_id: 'c', prompt: { '3': { class_type: 'LoadImage' } } }, undefined],
    ['null', null, undefined],
    ['an array', [], undefined],
  ])('reads %s as %s', (_name, raw, format) => {
    expect(comfyFormatOf(raw)).toBe(format);
    expect(isComfyWorkflow(raw)).toBe(format !== undefined || 'prompt' in Object(raw));
  });
});

describe('namedWidgets', () => {
  const seedream = ['seedream-4-5-251128', 'p', '2048x2048 (1:1)', 2048, 2048, 'auto', 3, 42, 'randomize', false, true];

  it('reads the Seedream widget order with the frontend control value after the seed', () => {
    expect(Object.fromEntries(namedWidgets('ByteDanceSeedreamNode', seedream)!)).toEqual({
      model: 'seedream-4-5-251128',
      prompt: 'p',
      size_preset: '2048x2048 (1:1)',
      width: 2048,
      height: 2048,
      sequential_image_generation: 'auto',
      max_images: 3,
      seed: 42,
      'seed.control': 'randomize',
      watermark: false,
      fail_on_partial: true,
    });
  });

  it('lines up files saved without a control value', () => {
    const w = namedWidgets('ByteDanceSeedreamNode', [...seedream.slice(0, 8), true, false])!;
    expect([w.get('seed'), w.has('seed.control'), w.get('watermark'), w.get('fail_on_partial')]).toEqual([42, false, true, false]);
  });

  it('takes widget values keyed by name as they are, and knows nothing of other types', () => {
    const keyed = namedWidgets('SaveImage', JSON.parse('{"filename_prefix": "x", "__proto__": {"a": 1}}'))!;
    expect([...keyed.keys()]).toEqual(['filename_prefix']);
    expect(namedWidgets('KSampler', [1, 2])).toBeUndefined();
  });
});

describe('readComfyGraph', () => {
  it('names a UI link by the input that holds it, not only by its slot number', () => {
    const r = readComfyGraph({
      nodes: [
        { id: 1, type: 'LoadImage', outputs: [{ type: 'IMAGE', links: [5] }] },
        {
          id: 2,
          type: 'PreviewImage',
          inputs: [
            { name: 'other', link: null },
            { name: 'images', link: 5 },
          ],
        },
      ],
      links: [[5, 1, 0, 2, 0, 'IMAGE']],
    });
    expect(r.ok && r.graph.links).toEqual([{ from: '1', fromSlot: 0, to: '2', toInput: 'images', type: 'IMAGE' }]);
  });

  it('reads schema-1 link objects and keyed positions', () => {
    const r = readComfyGraph({
      version: 1,
      state: {},
      nodes: [
        { id: 1, type: 'LoadImage', pos: { 0: 5, 1: 6 } },
        { id: 2, type: 'PreviewImage', pos: [1, 2], inputs: [{ name: 'images', link: 3 }] },
      ],
      links: [{ id: 3, origin_id: 1, origin_slot: 0, target_id: 2, target_slot: 0, type: 'IMAGE' }],
    });
    expect(r.ok && r.graph.nodes.map((n) => n.pos)).toEqual([
      { x: 5, y: 6 },
      { x: 1, y: 2 },
    ]);
    expect(r.ok && r.graph.links).toHaveLength(1);
  });
});

describe('savePrefix', () => {
  it.each([
    ['ComfyUI', 'ComfyUI'],
    ['seedream/story', 'seedream-story'],
    ['%date:yyyy-MM-dd%/shot', 'shot'],
    ['../../etc/passwd', 'etc-passwd'],
    ['***', 'ComfyUI'],
    [42, 'ComfyUI'],
  ])('turns %j into %j', (raw, prefix) => {
    expect(savePrefix(raw)).toBe(prefix);
  });
});
