import { copyFile, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zManifest, type Manifest } from '../../../app/server/cli/manifest';
import { EXIT } from '../../../app/server/cli/run-cli';
import { cli, simulator, tempDir, writePng } from './cli-fixtures';

/**
 * `run` on a ComfyUI workflow file (issue 9): imported as the editor imports it, its Load Image
 * nodes given with --set, run against the simulator like any workflow.
 */
const fixture = (name: string) => new URL(`../../fixtures/comfyui/${name}`, import.meta.url);
const manifestOf = async (dir: string): Promise<Manifest> => zManifest.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
const pngs = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith('.png')).sort();
const dataUrl = async (path: string) => `data:image/png;base64,${(await readFile(path)).toString('base64')}`;

/** A temp folder holding the fixture as `story.json` and the two images ComfyUI's input folder had. */
async function comfyFolder(fixtureName: string) {
  const dir = await tempDir();
  await copyFile(fixture(fixtureName), join(dir, 'story.json'));
  return { dir, portrait: await writePng(dir, 'portrait.png'), jacket: await writePng(dir, 'jacket.png', 40, 40) };
}

/** The stderr lines that mention `word`. */
const lines = (stderr: string, word: string) => stderr.split('\n').filter((l) => l.includes(word));

const withImages = ['--set', 'load-10.image=portrait.png', '--set', 'load-11.image=jacket.png'];

describe('runCli run with a ComfyUI workflow file', () => {
  it('runs the UI format once its images are given with --set, naming the placeholders it leaves out', async () => {
    const [{ dir, portrait, jacket }, sim] = [await comfyFolder('seedream-story.ui.json'), await simulator()];
    const r = await cli(['run', 'story.json', ...withImages, '--out', 'o'], { cwd: dir, sim });
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(r.stderr).toContain('warning: Imported a ComfyUI workflow (UI format): 9 of 10 nodes mapped, 1 kept as a placeholder that cannot run.');
    expect(r.stderr).toContain('warning: “Upscale ×2” (ImageScaleBy #14) has no counterpart here; it is kept as a placeholder and cannot run.');
    // ComfyUI's note is a note here: never a placeholder, never a node to delete.
    expect(r.stderr).toContain('warning: The note “About” (MarkdownNote #15) became a note.');
    expect(r.stderr).not.toMatch(/MarkdownNote" node|comfy-15/);
    // Both images were given: nothing asks for them.
    expect(r.stderr).not.toMatch(/portrait\.png|jacket\.png|--set load-1[01]|Choose a file/);
    expect(await pngs(join(dir, 'o'))).toEqual([
      'seedream-story_00001.png',
      'seedream-story_00002.png',
      'seedream-story_00003.png',
      'seedream-story_00004.png',
    ]);
    expect(sim.counts.submits).toBe(1);
    const job = sim.state.jobs()[0]!;
    // The references in ComfyUI's ImageBatch order, the seed from its primitive.
    expect(job.input.images).toEqual([await dataUrl(portrait), await dataUrl(jacket)]);
    expect(job.input).toMatchObject({ sequential_image_generation_options: 4, seed: 987654, prompt: expect.stringMatching(/^Generate 4 images/) });
    const m = await manifestOf(join(dir, 'o'));
    expect(m.status).toBe('succeeded');
    expect(m.requests).toEqual([expect.objectContaining({ nodeId: 'seedream-1', requestId: job.id, state: 'stored', billing: 'billed', costUsd: 0.16 })]);
    expect(m.nodes.find((n) => n.id === 'load-11')).toMatchObject({ title: 'Jacket reference: jacket.png', status: 'done' });
    expect(m.nodes.map((n) => n.id)).not.toContain('comfy-14');
    // The placeholder is named once on the terminal (by the import report); the manifest still lists its issue.
    expect(lines(r.stderr, 'Upscale ×2')).toHaveLength(2);
    expect(r.stderr).not.toMatch(/Delete it, or rebuild/);
    expect(m.issues).toEqual([expect.objectContaining({ code: 'unknown-kind', nodeId: 'comfy-14', severity: 'warning' })]);
  });

  it('says which --set each ComfyUI input file needs and submits nothing without them', async () => {
    const [{ dir }, sim] = [await comfyFolder('seedream-story.ui.json'), await simulator()];
    const r = await cli(['run', 'story.json', '--out', 'o'], { cwd: dir, sim });
    expect(r.code, r.stderr).toBe(EXIT.usage);
    // One line per missing image, in the command line's words.
    expect(lines(r.stderr, 'portrait.png')).toEqual([
      'error: [load-10] No image (ComfyUI used portrait.png): give it with --set load-10.image=<path to portrait.png, or an https URL>.',
    ]);
    expect(lines(r.stderr, 'jacket.png')).toEqual([
      'error: [load-11] No image (ComfyUI used jacket.png): give it with --set load-11.image=<path to jacket.png, or an https URL>.',
    ]);
    expect(r.stderr).not.toMatch(/Choose a file/);
    expect((await manifestOf(join(dir, 'o'))).status).toBe('invalid');
    expect(sim.counts.submits).toBe(0);
  });

  it('names only the image its --set left out', async () => {
    const [{ dir }, sim] = [await comfyFolder('seedream-story.ui.json'), await simulator()];
    const r = await cli(['run', 'story.json', '--set', 'load-10.image=portrait.png', '--out', 'o'], { cwd: dir, sim });
    expect(r.code, r.stderr).toBe(EXIT.usage);
    expect(lines(r.stderr, 'portrait.png')).toEqual([]);
    expect(lines(r.stderr, 'jacket.png')).toEqual([
      'error: [load-11] No image (ComfyUI used jacket.png): give it with --set load-11.image=<path to jacket.png, or an https URL>.',
    ]);
    const m = await manifestOf(join(dir, 'o'));
    expect(m.issues.filter((i) => i.code === 'image-missing')).toEqual([
      expect.objectContaining({ nodeId: 'load-11', message: expect.stringContaining('--set load-11.image=') }),
    ]);
    expect(sim.counts.submits).toBe(0);
  });

  it('runs the API format the same way, with its own size, count and file prefix', async () => {
    const [{ dir }, sim] = [await comfyFolder('seedream-story.api.json'), await simulator()];
    const r = await cli(['run', 'story.json', ...withImages, '--out', 'o'], { cwd: dir, sim });
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(r.stderr).toContain('warning: Imported a ComfyUI workflow (API format): 7 of 8 nodes mapped, 1 kept as a placeholder that cannot run.');
    expect(await pngs(join(dir, 'o'))).toHaveLength(6);
    expect((await pngs(join(dir, 'o')))[0]).toBe('ComfyUI_00001.png');
    expect(sim.counts.submits).toBe(1);
    expect(sim.state.jobs()[0]!.input).toMatchObject({ sequential_image_generation_options: 6, seed: 42, resolution: '3024x1296 (21:9)' });
    expect((await manifestOf(join(dir, 'o'))).status).toBe('succeeded');
  });
});
