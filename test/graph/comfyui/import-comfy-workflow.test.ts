import { loadAnyWorkflow } from '../../../app/graph/load-any-workflow';
import { findBuiltinTemplate } from '../../../app/templates';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planRun } from '../../../app/engine/plan';
import { comfyInputFiles, importComfyWorkflow, MAX_REPORT_LINES } from '../../../app/graph/comfyui/import-comfy-workflow';
import { loadWorkflow } from '../../../app/graph/load-workflow';
import type { Workflow } from '../../../app/graph/workflow-schema';
import { registry } from '../../../nodes';

/** The editor and CLI load the importer on demand (load-any-workflow.ts); these tests hand it over. */
const withImporter = { importComfy: importComfyWorkflow };

const fixtureText = (name: string) => readFileSync(new URL(`../../fixtures/comfyui/${name}`, import.meta.url), 'utf8');
const fixture = (name: string) => JSON.parse(fixtureText(name)) as Record<string, unknown>;

function imported(json: unknown) {
  const r = importComfyWorkflow(json, registry);
  if (!r.ok) throw new Error(`refused: ${r.reason}`);
  return r;
}

const node = (wf: Workflow, id: string) => wf.nodes.find((n) => n.id === id)!;
const edges = (wf: Workflow) => wf.edges.map((e) => `${e.source.node}.${e.source.port} → ${e.target.node}.${e.target.port} #${e.order}`).sort();

/** The workflow with every Load Image given an image, as the user (or --set) would. */
function withImages(wf: Workflow): Workflow {
  const image = (n: number) => ({ kind: 'asset', assetId: String(n % 10).repeat(64), mime: 'image/png' });
  return { ...wf, nodes: wf.nodes.map((n, i) => (n.kind === 'image.load' ? { ...n, params: { image: image(i) } } : n)) };
}

const errors = (wf: Workflow) =>
  planRun(wf, registry)
    .issues.filter((i) => i.severity === 'error')
    .map((i) => `${i.nodeId}: ${i.code}`);

describe('importComfyWorkflow', () => {
  it('maps a UI-format Seedream workflow to a graph that runs once its images are chosen', () => {
    const r = imported(fixture('seedream-story.ui.json'));
    const wf = r.workflow;
    expect(r.format).toBe('ui');
    expect(Object.fromEntries(wf.nodes.map((n) => [n.id, n.kind]))).toEqual({
      'load-10': 'image.load',
      'load-11': 'image.load',
      'merge-12': 'image.merge',
      'prompt-5': 'text.prompt',
      'seedream-1': 'seedream.edit-sequential',
      'save-8': 'image.save',
      'preview-9': 'image.preview',
      'comfy-14': 'comfyui.ImageScaleBy',
    });
    // ComfyUI's note is a note here, with its text, place, size and colour; its group a group.
    expect(wf.notes).toEqual([
      {
        id: 'note-15',
        position: { x: 40, y: -140 },
        size: { width: 270, height: 140 },
        text: "### About\n\nPut **portrait.png** and **jacket.png** in ComfyUI's input folder before queueing.",
        color: 'yellow',
      },
    ]);
    expect(wf.groups).toEqual([
      {
        id: 'group-1',
        title: 'References',
        position: { x: 20, y: 40 },
        size: { width: 320, height: 800 },
        color: 'pale-blue',
        members: ['load-10', 'load-11'],
      },
    ]);
    expect(node(wf, 'seedream-1').params).toEqual({
      prompt: expect.stringMatching(/^Generate 4 images/),
      maxImages: 4,
      resolution: '2560x1440 (16:9)',
      seed: 987654,
    });
    expect(node(wf, 'save-8').params).toEqual({ prefix: 'seedream-story' });
    expect(node(wf, 'prompt-5')).toMatchObject({ title: 'Story prompt', params: { text: expect.stringMatching(/^Generate 4 images/) } });
    expect(node(wf, 'load-10')).toMatchObject({ title: 'Load Image: portrait.png', params: { image: null }, position: { x: 40, y: 120 } });
    expect(node(wf, 'load-11')).toMatchObject({ title: 'Jacket reference: jacket.png', params: { image: null } });
    // ImageBatch's image1/image2 keep their order as the Merge node's link order.
    expect(edges(wf)).toEqual([
      'load-10.image → merge-12.images #0',
      'load-11.image → merge-12.images #1',
      'merge-12.images → seedream-1.images #0',
      'prompt-5.text → seedream-1.prompt #0',
      'seedream-1.images → preview-9.images #0',
      'seedream-1.images → save-8.images #0',
    ]);
    expect(comfyInputFiles(wf)).toEqual([
      { node: 'load-10', file: 'portrait.png' },
      { node: 'load-11', file: 'jacket.png' },
    ]);
    expect(errors(wf)).toEqual(['load-10: image-missing', 'load-11: image-missing']);
    const ready = withImages(wf);
    expect(planRun(ready, registry).ok).toBe(true);
    expect(comfyInputFiles(ready)).toEqual([]);
  });

  it('maps the API format the same way and lays its nodes out by link depth', () => {
    const r = imported(fixture('seedream-story.api.json'));
    const wf = r.workflow;
    expect(r.format).toBe('api');
    expect(node(wf, 'seedream-1').params).toEqual({ prompt: '', maxImages: 6, resolution: '3024x1296 (21:9)', seed: 42 });
    expect(node(wf, 'save-8').params).toEqual({ prefix: 'ComfyUI' });
    // The API format's default titles are not copied; custom ones are.
    expect(node(wf, 'seedream-1').title).toBeUndefined();
    expect(node(wf, 'load-11').title).toBe('Jacket reference: jacket.png');
    expect(edges(wf)).toEqual([
      'load-10.image → merge-12.images #0',
      'load-11.image → merge-12.images #1',
      'merge-12.images → seedream-1.images #0',
      'prompt-5.text → seedream-1.prompt #0',
      'seedream-1.images → preview-9.images #0',
      'seedream-1.images → save-8.images #0',
    ]);
    const x = (id: string) => node(wf, id).position.x;
    expect(x('load-10')).toBeLessThan(x('merge-12'));
    expect(x('merge-12')).toBeLessThan(x('seedream-1'));
    expect(x('seedream-1')).toBeLessThan(x('save-8'));
    expect(x('comfy-14')).toBe(x('save-8'));
    expect(r.report).toContainEqual(expect.stringMatching(/watermark/));
    expect(planRun(withImages(wf), registry).ok).toBe(true);
  });

  it('names unmapped nodes by their ComfyUI title and drops the links into them', () => {
    const r = imported(fixture('seedream-story.ui.json'));
    expect(r.report[0]).toBe('Imported a ComfyUI workflow (UI format): 9 of 10 nodes mapped, 1 kept as a placeholder that cannot run.');
    expect(r.report).toContain('“Upscale ×2” (ImageScaleBy #14) has no counterpart here; it is kept as a placeholder and cannot run.');
    expect(r.report).toContain('The link from ByteDanceSeedreamNode #1 into “Upscale ×2” (ImageScaleBy #14) was dropped: that node is not imported.');
    expect(r.report).toContain('The note “About” (MarkdownNote #15) became a note.');
    expect(r.report).toContain('The group “References” became a group here.');
    expect(r.report.join('\n')).not.toMatch(/MarkdownNote #15\) (is kept|has no counterpart)/);
    expect(r.placeholders).toEqual(['comfy-14']);
    // The placeholder keeps what ComfyUI had on it.
    expect(node(r.workflow, 'comfy-14')).toMatchObject({
      title: 'Upscale ×2',
      params: { comfyui: { type: 'ImageScaleBy', id: '14', widgets: ['lanczos', 2] } },
    });
  });

  it('follows reroutes and bypassed nodes to what feeds them, as ComfyUI runs them', () => {
    const r = imported({
      last_node_id: 5,
      last_link_id: 4,
      nodes: [
        { id: 1, type: 'LoadImage', pos: [0, 0], mode: 0, outputs: [{ name: 'IMAGE', type: 'IMAGE', links: [1] }], widgets_values: ['a.png', 'image'] },
        { id: 2, type: 'Reroute', pos: [200, 0], mode: 0, inputs: [{ name: '', type: '*', link: 1 }], outputs: [{ name: '', type: 'IMAGE', links: [2] }] },
        {
          id: 3,
          type: 'ImageInvert',
          title: 'Invert',
          pos: [300, 0],
          mode: 4,
          inputs: [{ name: 'image', type: 'IMAGE', link: 2 }],
          outputs: [{ name: 'IMAGE', type: 'IMAGE', links: [3] }],
        },
        {
          id: 4,
          type: 'ByteDanceSeedreamNode',
          pos: [500, 0],
          mode: 0,
          inputs: [{ name: 'image', type: 'IMAGE', link: 3 }],
          widgets_values: ['seedream-4-5-251128', 'Generate 2 images of a cat', '2048x2048 (1:1)', 2048, 2048, 'auto', 2, 7, 'fixed', false, true],
        },
        { id: 5, type: 'PreviewImage', pos: [900, 0], mode: 0, inputs: [{ name: 'images', type: 'IMAGE', link: 4 }] },
      ],
      links: [
        [1, 1, 0, 2, 0, 'IMAGE'],
        [2, 2, 0, 3, 0, 'IMAGE'],
        [3, 3, 0, 4, 0, 'IMAGE'],
        [4, 4, 0, 5, 0, 'IMAGE'],
      ],
      version: 0.4,
    });
    expect(edges(r.workflow)).toEqual(['load-1.image → seedream-4.images #0', 'seedream-4.images → preview-5.images #0']);
    expect(node(r.workflow, 'comfy-3')).toMatchObject({ kind: 'comfyui.ImageInvert', title: 'Invert (bypassed in ComfyUI)' });
    expect(r.report).toContainEqual(expect.stringContaining('“Invert” (ImageInvert #3) was bypassed in ComfyUI'));
    expect(r.workflow.nodes.map((n) => n.id)).not.toContain('reroute-2');
  });

  it('never makes a muted Seedream node runnable (it would be paid for)', () => {
    const r = imported({
      nodes: [
        { id: 1, type: 'LoadImage', mode: 0, outputs: [{ type: 'IMAGE', links: [1] }], widgets_values: ['a.png'] },
        { id: 2, type: 'ByteDanceSeedreamNode', mode: 2, inputs: [{ name: 'image', type: 'IMAGE', link: 1 }], widgets_values: ['seedream-4-5-251128', 'x'] },
        { id: 3, type: 'SaveImage', mode: 0, inputs: [{ name: 'images', type: 'IMAGE', link: 2 }], widgets_values: ['out'] },
      ],
      links: [
        [1, 1, 0, 2, 0, 'IMAGE'],
        [2, 2, 0, 3, 0, 'IMAGE'],
      ],
    });
    expect(r.workflow.nodes.some((n) => n.kind === 'seedream.edit-sequential')).toBe(false);
    expect(node(r.workflow, 'comfy-2').title).toBe('ByteDanceSeedreamNode (muted in ComfyUI)');
    expect(r.report).toContain('Input “images” of SaveImage #3 was fed by ByteDanceSeedreamNode #2, which is not imported; it is left unlinked.');
    expect(r.workflow.edges).toEqual([]);
  });

  it('writes a primitive into the widget it feeds when the API format links one there', () => {
    const r = imported({
      '1': { class_type: 'LoadImage', inputs: { image: 'a.png' } },
      '2': { class_type: 'PrimitiveInt', inputs: { value: 1234 }, _meta: { title: 'Seed' } },
      '3': { class_type: 'PrimitiveString', inputs: { value: 'Generate 3 images of a lighthouse' } },
      '4': {
        class_type: 'ByteDanceSeedreamNode',
        inputs: { model: 'seedream-4-5-251128', prompt: ['3', 0], image: ['1', 0], seed: ['2', 0], sequential_image_generation: 'auto', max_images: 3 },
      },
      '5': { class_type: 'SaveImage', inputs: { images: ['4', 0], filename_prefix: ['3', 0] } },
    });
    expect(node(r.workflow, 'seedream-4').params).toMatchObject({ seed: 1234, maxImages: 3 });
    // The text feeds a prompt (a node) and a file prefix (written in, then cleaned for a file name).
    expect(node(r.workflow, 'prompt-3').params).toEqual({ text: 'Generate 3 images of a lighthouse' });
    expect(node(r.workflow, 'save-5').params).toEqual({ prefix: 'Generate 3 images of a lighthouse' });
    expect(r.workflow.nodes.map((n) => n.id)).not.toContain('prompt-2');
    expect(r.report).toContain('“Seed” (PrimitiveInt #2) fed “seed” of ByteDanceSeedreamNode #4; its value 1234 is written there.');
  });

  it('imports the UI workflow a /prompt request body carries', () => {
    const body = {
      client_id: 'c1',
      prompt: fixture('seedream-story.api.json'),
      extra_data: { extra_pnginfo: { workflow: fixture('seedream-story.ui.json') } },
    };
    expect(imported(body).format).toBe('ui');
    expect(loadWorkflow(body, registry, withImporter).ok).toBe(true);
    expect(imported({ prompt: fixture('seedream-story.api.json') }).format).toBe('api');
  });

  it('sums up long reports in one last line', () => {
    const nodes = Array.from({ length: 60 }, (_, i) => ({ id: i + 2, type: `Custom${i}`, mode: 0 }));
    const r = imported({ nodes: [{ id: 1, type: 'PreviewImage', mode: 0 }, ...nodes], links: [] });
    expect(r.report).toHaveLength(MAX_REPORT_LINES);
    expect(r.report.at(-1)).toMatch(/^…and \d+ more notes like these\.$/);
  });
});

describe('importComfyWorkflow refusals', () => {
  it('says so when a ComfyUI workflow has nothing that maps', () => {
    const r = importComfyWorkflow(
      {
        last_node_id: 2,
        last_link_id: 0,
        nodes: [
          { id: 1, type: 'KSampler' },
          { id: 2, type: 'CheckpointLoaderSimple' },
        ],
        links: [],
      },
      registry,
    );
    expect(r).toMatchObject({
      ok: false,
      code: 'comfyui-workflow',
      reason: expect.stringMatching(/none of its 2 nodes.*KSampler, CheckpointLoaderSimple.*open this one in ComfyUI/),
    });
  });

  it('refuses a workflow with more nodes than it imports', () => {
    const nodes = Array.from({ length: 5_001 }, (_, i) => ({ id: i, type: 'PreviewImage' }));
    expect(importComfyWorkflow({ nodes, links: [] }, registry)).toMatchObject({ ok: false, code: 'comfyui-too-large' });
  });

  it.each([
    ['null', null],
    ['a number', 42],
    ['a string', 'nodes'],
    ['an array', [{ class_type: 'LoadImage' }]],
    ['an empty object', {}],
    ['our own workflow', { schemaVersion: 2, nodes: [], edges: [] }],
    ['nodes that are not a list', { nodes: 'x', links: [] }],
    ['API entries without class_type', { '1': { inputs: {} } }],
  ])('refuses %s with a reason', (_name, input) => {
    const r = importComfyWorkflow(input, registry);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/ComfyUI/);
  });

  it('skips unreadable nodes and links and says which', () => {
    const r = imported({
      nodes: [null, 7, { id: {}, type: 'LoadImage' }, { id: 1, type: 'PreviewImage', inputs: [{ name: 'images', link: 9 }] }, { id: 1, type: 'SaveImage' }],
      links: [[1, 2], [9, 99, 0, 1, 0, 'IMAGE'], null, 'x'],
    });
    expect(r.workflow.nodes.map((n) => n.id)).toEqual(['preview-1']);
    expect(r.report).toEqual(
      expect.arrayContaining([
        'Entry #1 of "nodes" is not a ComfyUI node (it needs an id and a type); it was skipped.',
        'Node id 1 is used twice; the second node (SaveImage) was skipped.',
        'Link #1 is not a ComfyUI link; it was skipped.',
        'Link 9 joins nodes or slots that are not in the file; it was skipped.',
      ]),
    );
  });

  it('never throws and never pollutes prototypes, whatever the file holds', () => {
    const hostile = JSON.parse(
      '{"__proto__": {"class_type": "LoadImage", "inputs": {"image": "a.png", "__proto__": {"polluted": true}}}, "2": {"class_type": "PreviewImage", "inputs": {"images": ["__proto__", 0]}}}',
    ) as unknown;
    const r = importComfyWorkflow(hostile, registry);
    expect(r.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(loadWorkflow(hostile, registry, withImporter).ok).toBe(true);
  });

  it('survives random damage to both fixtures without throwing', () => {
    // A fixed-seed LCG, so a failure is reproducible.
    let seed = 20240601;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const junk = [null, -1, 1e308, 'x', '', [], {}, [1, 2], { id: 3 }, '__proto__', 'data:image/png;base64,AAAA', 'x'.repeat(20_000)];
    const mutate = (value: unknown, depth: number): unknown => {
      if (depth > 5 || value === null || typeof value !== 'object' || rand(4) === 0) return rand(3) === 0 ? junk[rand(junk.length)] : value;
      if (Array.isArray(value)) return value.map((v) => mutate(v, depth + 1));
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mutate(v, depth + 1)]));
    };
    const outcomes = new Set<string>();
    for (const name of ['seedream-story.ui.json', 'seedream-story.api.json']) {
      const base = fixture(name);
      for (let i = 0; i < 150; i++) {
        const damaged = mutate(base, 0);
        const r = importComfyWorkflow(damaged, registry);
        const loaded = loadWorkflow(damaged, registry, withImporter);
        // What the importer builds is always a valid workflow; what it refuses says why.
        if (r.ok) expect(loaded.ok, JSON.stringify(!loaded.ok && loaded.issues)).toBe(true);
        else expect(r.reason).toMatch(/ComfyUI/);
        outcomes.add(r.ok ? 'imported' : r.code);
      }
    }
    expect(outcomes).toContain('imported');
    expect(outcomes.size).toBeGreaterThan(1);
  });
});

describe('loadWorkflow with a ComfyUI file', () => {
  it('imports it, with the report as notes and each placeholder named once', () => {
    const r = loadWorkflow(fixtureText('seedream-story.ui.json'), registry, withImporter);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.notes[0]).toMatch(/^Imported a ComfyUI workflow \(UI format\)/);
    expect(r.issues).toEqual([]);
    expect(r.workflow.meta).toMatchObject({ name: 'ComfyUI workflow', comfyui: { format: 'ui' } });
    // Once imported it is an ordinary workflow: saving and opening it again changes nothing.
    const again = loadWorkflow(JSON.stringify(r.workflow), registry, withImporter);
    expect(again.ok && again.workflow).toEqual(r.workflow);
  });

  it('refuses a ComfyUI file when no registry says which kinds exist', () => {
    expect(loadWorkflow(fixture('seedream-story.api.json'))).toMatchObject({ ok: false, issues: [{ code: 'comfyui-workflow' }] });
  });
});

describe('where ComfyUI files are opened', () => {
  it('imports a JSON file the editor reads, naming the import in its notes', async () => {
    const { readWorkflowFile } = await import('../../../app/ui/chrome/open-file');
    const file = new File([fixtureText('seedream-story.api.json')], 'seedream-story.api.json', { type: 'application/json' });
    const r = await readWorkflowFile(file, registry);
    expect(r.ok && r.notes[0]).toMatch(/^Imported a ComfyUI workflow \(API format\)/);
  });

  it('asks the editor to choose each file a Load Image used', () => {
    const r = imported(fixture('seedream-story.ui.json'));
    expect(r.report).toContain("LoadImage #10 used “portrait.png” from ComfyUI's input folder: choose that file on the node.");
    expect(r.report).toContain("“Jacket reference” (LoadImage #11) used “jacket.png” from ComfyUI's input folder: choose that file on the node.");
  });

  it('leaves the files to the command line, which names those still missing after --set', async () => {
    const { loadSource } = await import('../../../app/server/cli/workflow-source');
    const loaded = await loadSource('seedream-story.ui.json', registry, new URL('../../fixtures/comfyui/', import.meta.url).pathname);
    expect(loaded.warnings.filter((w) => /portrait\.png|jacket\.png/.test(w))).toEqual([]);
    expect(comfyInputFiles(loaded.workflow).map((f) => f.file)).toEqual(['portrait.png', 'jacket.png']);
    expect(planRun(withImages(loaded.workflow), registry).ok).toBe(true);
  });
});

describe('loadAnyWorkflow', () => {
  it('imports a ComfyUI file with the importer loaded on demand, and loads our own files as they are', async () => {
    const comfy = await loadAnyWorkflow(fixtureText('seedream-story.ui.json'), registry);
    expect(comfy.ok).toBe(true);
    const ours = await loadAnyWorkflow(JSON.stringify(findBuiltinTemplate('storyboard')!.workflow), registry);
    expect(ours.ok && ours.notes).toEqual([]);
  });

  it('says a ComfyUI file needs the importer when a caller loads it without one', () => {
    expect(loadWorkflow(fixtureText('seedream-story.ui.json'), registry)).toMatchObject({ ok: false, issues: [{ code: 'comfyui-needs-importer' }] });
  });
});
