import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, encode } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { workflowFromPng } from '../../app/graph/workflow-png';
import type { Workflow } from '../../app/graph/workflow-schema';
import { FileAssetStore } from '../../app/server/file-asset-store';
import { FileOutputSink } from '../../app/server/file-output-sink';
import { registry } from '../../nodes';
import { graph } from '../fixtures/graph-builder';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'output-sink-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const signal = new AbortController().signal;
const png = () => encode({ width: 8, height: 6, data: new Uint8Array(8 * 6 * 3).map((_, i) => i % 256), channels: 3, depth: 8 });
const jpeg = () => new Uint8Array(encodeJpeg({ width: 8, height: 6, data: Buffer.alloc(8 * 6 * 4, 128) }, 90).data);

const workflow: Workflow = graph({ name: 'Café — 夜' })
  .node('p', 'text.prompt', { text: 'Generate 2 images of a night market' })
  .node('gen', 'seedream.edit-sequential', { maxImages: 2 })
  .node('save', 'image.save', { prefix: 'night' })
  .edge('p.text', 'gen.prompt')
  .edge('gen.images', 'save.images')
  .build();

async function sinkWith(options: ConstructorParameters<typeof FileOutputSink>[2]) {
  const assets = new FileAssetStore(join(dir, 'assets'));
  return { assets, sink: new FileOutputSink(join(dir, 'out'), assets, options) };
}

describe('FileOutputSink', () => {
  it('embeds the workflow in every PNG it writes, as a valid PNG, when given a workflow', async () => {
    const { assets, sink } = await sinkWith({ workflow });
    const refs = [await assets.put(png()), await assets.put(png())];
    expect(await sink.save(refs, { nodeId: 'save', prefix: 'night', signal })).toEqual(['night_00001.png', 'night_00002.png']);
    for (const name of ['night_00001.png', 'night_00002.png']) {
      const bytes = new Uint8Array(await readFile(join(dir, 'out', name)));
      expect(decode(bytes, { checkCrc: true }).width).toBe(8);
      const back = workflowFromPng(bytes, registry);
      expect(back.ok && back.workflow).toEqual(workflow);
    }
    expect(await readdir(join(dir, 'out'))).toEqual(['night_00001.png', 'night_00002.png']);
    expect(sink.saved[0]).toMatchObject({ file: 'night_00001.png', assetId: refs[0]!.assetId });
    expect(sink.saved[0]!.sidecar).toBeUndefined();
  });

  it('writes a sidecar .json beside a JPEG and leaves its bytes as stored', async () => {
    const { assets, sink } = await sinkWith({ workflow });
    const ref = await assets.put(jpeg());
    expect(await sink.save([ref], { nodeId: 'save', prefix: 'night', signal })).toEqual(['night_00001.jpg']);
    expect(new Uint8Array(await readFile(join(dir, 'out', 'night_00001.jpg')))).toEqual(await assets.get(ref));
    expect(JSON.parse(await readFile(join(dir, 'out', 'night_00001.jpg.json'), 'utf8'))).toEqual(workflow);
    expect(sink.saved[0]).toMatchObject({ file: 'night_00001.jpg', sidecar: 'night_00001.jpg.json' });
  });

  it('skips a number whose sidecar name is taken and never overwrites it', async () => {
    const { assets, sink } = await sinkWith({ workflow });
    const ref = await assets.put(jpeg());
    await sink.save([], { nodeId: 'save', prefix: 'night', signal }); // creates the folder
    await writeFile(join(dir, 'out', 'night_00001.jpg.json'), 'mine');
    expect(await sink.save([ref], { nodeId: 'save', prefix: 'night', signal })).toEqual(['night_00002.jpg']);
    expect(await readFile(join(dir, 'out', 'night_00001.jpg.json'), 'utf8')).toBe('mine');
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['night_00001.jpg.json', 'night_00002.jpg', 'night_00002.jpg.json']);
  });

  it('removes the sidecar it wrote when the image name turns out to be taken', async () => {
    const { assets, sink } = await sinkWith({ workflow });
    const ref = await assets.put(jpeg());
    await sink.save([], { nodeId: 'save', prefix: 'night', signal });
    await writeFile(join(dir, 'out', 'night_00001.jpg'), 'older image');
    expect(await sink.save([ref], { nodeId: 'save', prefix: 'night', signal })).toEqual(['night_00002.jpg']);
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['night_00001.jpg', 'night_00002.jpg', 'night_00002.jpg.json']);
  });

  it('falls back to a sidecar when a PNG cannot take a text chunk', async () => {
    const { assets, sink } = await sinkWith({ workflow });
    const cut = png().subarray(0, 40); // header readable, chunk list cut short
    const ref = await assets.put(cut);
    await sink.save([ref], { nodeId: 'save', prefix: 'cut', signal });
    expect(new Uint8Array(await readFile(join(dir, 'out', 'cut_00001.png')))).toEqual(cut);
    expect(JSON.parse(await readFile(join(dir, 'out', 'cut_00001.png.json'), 'utf8'))).toEqual(workflow);
  });

  it('writes the stored bytes unchanged and no sidecar when given no workflow', async () => {
    const { assets, sink } = await sinkWith({});
    const [p, j] = [await assets.put(png()), await assets.put(jpeg())];
    await sink.save([p, j], { nodeId: 'save', prefix: 'plain', signal });
    expect(new Uint8Array(await readFile(join(dir, 'out', 'plain_00001.png')))).toEqual(png());
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['plain_00001.png', 'plain_00002.jpg']);
  });

  it('still writes a paid image, without the workflow, when the workflow cannot be written as JSON', async () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    const broken: Workflow = { ...workflow, meta: { ...workflow.meta, extra: deep } };
    const { assets, sink } = await sinkWith({ workflow: broken });
    const [p, j] = [await assets.put(png()), await assets.put(jpeg())];
    expect(await sink.save([p, j], { nodeId: 'save', prefix: 'deep', signal })).toEqual(['deep_00001.png', 'deep_00002.jpg']);
    expect(new Uint8Array(await readFile(join(dir, 'out', 'deep_00001.png')))).toEqual(png());
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['deep_00001.png', 'deep_00002.jpg']);
    expect(sink.saved.map((f) => f.workflowError)).toEqual([
      expect.stringMatching(/could not be written as JSON/),
      expect.stringMatching(/could not be written as JSON/),
    ]);
  });
});
