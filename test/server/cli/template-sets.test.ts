import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workflowFromPng } from '../../../app/graph/workflow-png';
import { EXIT } from '../../../app/server/cli/run-cli';
import type { TemplateListing } from '../../../app/server/cli/list-templates';
import { builtinTemplates } from '../../../app/templates';
import { makeTemplate } from '../../../app/templates/make-template';
import { registry } from '../../../nodes';
import { graph } from '../../fixtures/graph-builder';
import { cli, simulator, tempDir, writePng } from './cli-fixtures';
import { sampleSets } from './sample-sets';

describe('runCli run --set <field>=<value>', () => {
  it('fills template fields, including a local file for an image field', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    await writePng(dir, 'me.png');
    const r = await cli(
      ['run', 'character-scenes', '--set', 'maxImages=2', '--set', 'scenes=Generate 2 images of me at sea', '--set', 'character=me.png', '--out', 'o'],
      { cwd: dir, sim },
    );
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const job = sim.state.jobs()[0]!;
    expect(job.input.sequential_image_generation_options).toBe(2);
    expect(job.input.prompt).toBe('Generate 2 images of me at sea');
    expect(job.input.images[0]).toMatch(/^data:image\/png;base64,/);
  });

  it('passes an https URL for an image field through as a reference', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    const url = 'https://playgrounds-storage-public.runcomfy.net/tools/7250/media-files/input-1-2.png';
    const r = await cli(
      [
        'run',
        'storyboard',
        ...sampleSets('storyboard'),
        '--set',
        `ref3=${url}`,
        '--set',
        'maxImages=2',
        '--set',
        'story=Generate 2 images of a race',
        '--out',
        'o',
      ],
      {
        cwd: dir,
        sim,
      },
    );
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(sim.state.jobs()[0]!.input.images[2]).toBe(url);
  });

  it('mixes field and node.param overrides, applied in order', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    const r = await cli(
      ['run', 'two-step-chain', ...sampleSets('two-step-chain'), '--set', 'restyleMax=3', '--set', 'restyle.maxImages=2', '--set', 'frames=2', '--out', 'o'],
      {
        cwd: dir,
        sim,
      },
    );
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(sim.state.jobs().map((j) => j.input.sequential_image_generation_options)).toEqual([2, 3]);
  });

  it('saves PNGs that carry the workflow as run, overrides included', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    await writePng(dir, 'me.png');
    const r = await cli(
      ['run', 'character-scenes', '--set', 'character=me.png', '--set', 'maxImages=2', '--set', 'scenes=Generate 2 images of a lighthouse', '--out', 'o'],
      {
        cwd: dir,
        sim,
      },
    );
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const files = (await readdir(join(dir, 'o'))).filter((f) => f.endsWith('.png'));
    expect(files).toHaveLength(2);
    const back = workflowFromPng(new Uint8Array(await readFile(join(dir, 'o', files[0]!))), registry);
    if (!back.ok) throw new Error(back.issues[0]!.message);
    expect(back.workflow.nodes.find((n) => n.id === 'gen')!.params).toMatchObject({ maxImages: 2, prompt: 'Generate 2 images of a lighthouse' });
    expect(back.workflow.meta.template?.fields.map((f) => f.id)).toEqual(['character', 'scenes', 'maxImages', 'resolution']);
  });

  it('runs a saved user template file by its fields', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    const wf = graph({ name: 'Mine' })
      .node('ref', 'image.load', { image: { kind: 'url', url: 'https://playgrounds-storage-public.runcomfy.net/tools/7250/media-files/input-1-1.png' } })
      .node('gen', 'seedream.edit-sequential', { prompt: 'Generate 3 images of a bike', maxImages: 3 })
      .node('save', 'image.save', { prefix: 'mine' })
      .edge('ref.image', 'gen.images', { order: 0 })
      .edge('gen.images', 'save.images')
      .build();
    const made = makeTemplate(
      wf,
      {
        name: 'Mine',
        fields: [
          { id: 'count', label: 'Count', target: { node: 'gen', param: 'maxImages' } },
          { id: 'prompt', label: 'Prompt', target: { node: 'gen', param: 'prompt' } },
        ],
      },
      registry,
    );
    if (!made.ok) throw new Error(JSON.stringify(made.errors));
    await writeFile(join(dir, 'mine.json'), JSON.stringify(made.workflow));
    const r = await cli(['run', 'mine.json', '--set', 'count=1', '--set', 'prompt=Generate 1 image of a bike', '--out', 'o'], { cwd: dir, sim });
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(await readdir(join(dir, 'o'))).toContain('mine_00001.png');
  });

  it.each([
    [['--set', 'colour=red'], /no template field "colour"\. Template fields: character, scenes, maxImages, resolution\./],
    [['--set', 'maxImages=99'], /--set maxImages=99: Number of scenes: Too big/],
    [['--set', 'character=missing.png'], /Image file not found/],
    [['--set', 'nobody.x=1'], /no node "nobody".*Template fields: character, scenes/],
    [['--set', '=4'], /<field>=<value>.*<node>\.<param>=<value>/],
  ])('refuses %j, listing what would be right, before any submit', async (sets, message) => {
    const [dir, sim] = [await tempDir(), await simulator()];
    const r = await cli(['run', 'character-scenes', ...sets, '--out', 'o'], { cwd: dir, sim });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(message);
    expect(sim.counts.submits).toBe(0);
  });

  it('says a workflow has no fields when a field is set on a plain workflow', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    await writeFile(join(dir, 'plain.json'), JSON.stringify(graph().node('p', 'text.prompt').build()));
    const r = await cli(['run', 'plain.json', '--set', 'prompt=x', '--out', 'o'], { cwd: dir, sim });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/This workflow has no template fields/);
  });
});

describe('runCli templates', () => {
  it('lists each template with a --set line per field', async () => {
    const r = await cli(['templates'], { cwd: await tempDir() });
    expect(r.code).toBe(EXIT.ok);
    for (const t of builtinTemplates) {
      expect(r.stdout).toContain(`${t.id.padEnd(18)} ${t.title}`);
      for (const f of t.fields) expect(r.stdout).toMatch(new RegExp(`--set ${f.id}=<`));
    }
    expect(r.stdout).toMatch(/--set ref1=<path\|https-url>\s+required {2}Reference 1/);
    expect(r.stdout).toMatch(/--set story=<text>\s+required {2}Story — [^\n]*storyboard: …”\.\n/);
    expect(r.stdout).toMatch(/--set maxImages=<number>\s+optional {2}Panels — .*\(default 4\)/);
  });

  it('prints templates with resolved fields as JSON with --json', async () => {
    const r = await cli(['templates', '--json'], { cwd: await tempDir() });
    const listed = JSON.parse(r.stdout) as TemplateListing[];
    expect(listed.map((t) => t.id)).toEqual(builtinTemplates.map((t) => t.id));
    expect(listed[0]!.fields[0]).toMatchObject({
      id: 'ref1',
      label: 'Reference 1',
      node: 'ref1',
      param: 'image',
      widget: 'image',
      required: true,
      value: { kind: 'url' },
    });
    expect(listed[0]!.fields.filter((f) => f.required).map((f) => f.id)).toEqual(['ref1', 'ref2', 'ref3', 'story']);
    expect(listed.flatMap((t) => t.fields).filter((f) => f.problem)).toEqual([]);
  });
});

describe('runCli run with sample values left in', () => {
  const storyboardMessage =
    'Template "storyboard" needs values for: ref1 (Reference 1), ref2 (Reference 2), ref3 (Reference 3), story (Story). ' +
    'Its sample pictures and text are not submitted. Example:\n' +
    '  npm run cli -- run storyboard --set ref1=./ref1.png --set ref2=./ref2.png --set ref3=./ref3.png --set story="…" --out out\n';

  it('exits 2 naming every sample field, with a --set example, and submits nothing when no --set is given', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    const r = await cli(['run', 'storyboard', '--out', 'out'], { cwd: dir, sim });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain(storyboardMessage);
    expect(sim.counts.submits).toBe(0);
    expect(existsSync(join(dir, 'out', 'manifest.json'))).toBe(false);
  });

  it('exits 2 before starting the simulator with --simulate', async () => {
    const dir = await tempDir();
    const r = await cli(['run', 'storyboard', '--simulate', '--out', 'out'], { cwd: dir, env: {} });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain(storyboardMessage);
    expect(r.stderr).not.toMatch(/Simulator at/);
  });

  it('names only the sample fields still missing when some are set', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    await writePng(dir, 'a.png');
    const r = await cli(['run', 'storyboard', '--set', 'ref1=a.png', '--set', 'ref3.image=a.png', '--set', 'maxImages=2', '--out', 'o'], { cwd: dir, sim });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/needs values for: ref2 \(Reference 2\), story \(Story\)\. Its sample pictures and text/);
    expect(r.stderr).toContain('run storyboard --set ref2=./ref2.png --set story="…" --out o');
    expect(sim.counts.submits).toBe(0);
  });

  it('runs once every sample field is set, leaving the useDefault fields as the template has them', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    for (const name of ['a.png', 'b.png', 'c.png']) await writePng(dir, name);
    const story = 'Generate 4 images as a storyboard: a cat wakes, eats, naps and dreams.';
    const r = await cli(
      ['run', 'storyboard', '--set', 'ref1=a.png', '--set', 'ref2=b.png', '--set', 'ref3.image=c.png', '--set', `story=${story}`, '--out', 'o'],
      {
        cwd: dir,
        sim,
      },
    );
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(sim.counts.submits).toBe(1);
    const job = sim.state.jobs()[0]!;
    expect(job.input).toMatchObject({ prompt: story, sequential_image_generation_options: 4 });
    expect(job.input.images).toHaveLength(3);
  });

  it('runs with the sample values when each is given explicitly with --set', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    const r = await cli(['run', 'storyboard', ...sampleSets('storyboard'), '--set', 'maxImages=1', '--out', 'o'], { cwd: dir, sim });
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(sim.counts.submits).toBe(1);
  });

  it('treats every field of a template saved without useDefault flags as a sample', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    const wf = graph({
      name: 'Old',
      template: {
        fields: [
          { id: 'count', label: 'Count', target: { node: 'gen', param: 'maxImages' } },
          { id: 'prompt', label: 'Prompt', target: { node: 'gen', param: 'prompt' } },
        ],
      },
    })
      .node('ref', 'image.load', { image: { kind: 'url', url: 'https://playgrounds-storage-public.runcomfy.net/tools/7250/media-files/input-1-1.png' } })
      .node('gen', 'seedream.edit-sequential', { prompt: 'Generate 2 images of a bike', maxImages: 2 })
      .edge('ref.image', 'gen.images', { order: 0 })
      .build();
    await writeFile(join(dir, 'old template.json'), JSON.stringify(wf));
    const r = await cli(['run', 'old template.json', '--set', 'prompt=Generate 2 images of a car', '--out', 'o'], { cwd: dir, sim });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/^Template "old template\.json" needs values for: count \(Count\)\. Its sample values are not submitted\./);
    expect(r.stderr).toContain(`npm run cli -- run 'old template.json' --set count=<number> --out o`);
    expect(sim.counts.submits).toBe(0);
  });

  it('runs a workflow that is not a template without any --set', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    const wf = graph()
      .node('ref', 'image.load', { image: { kind: 'url', url: 'https://playgrounds-storage-public.runcomfy.net/tools/7250/media-files/input-1-1.png' } })
      .node('gen', 'seedream.edit-sequential', { prompt: 'Generate 1 image of a bike', maxImages: 1 })
      .node('save', 'image.save', { prefix: 'plain' })
      .edge('ref.image', 'gen.images', { order: 0 })
      .edge('gen.images', 'save.images')
      .build();
    await writeFile(join(dir, 'plain.json'), JSON.stringify(wf));
    const r = await cli(['run', 'plain.json', '--out', 'o'], { cwd: dir, sim });
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(sim.counts.submits).toBe(1);
  });
});
