import { encode } from 'fast-png';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { createDownloadOutputSink } from '../../app/browser/download-output-sink';
import { workflowFromPng } from '../../app/graph/workflow-png';
import { registry } from '../../nodes';
import { MemoryAssetStore } from '../fixtures/fake-run-context';
import { paidWorkflow } from '../fixtures/studio-store';

const png = (shade: number) => encode({ width: 16, height: 16, data: new Uint8Array(16 * 16 * 3).fill(shade), channels: 3 });
const jpegLike = () => new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);

async function setup(images: Uint8Array[]) {
  const assets = new MemoryAssetStore();
  const refs: Awaited<ReturnType<MemoryAssetStore['put']>>[] = [];
  for (const bytes of images) refs.push(await assets.put(bytes));
  const downloads: { name: string; bytes: Uint8Array }[] = [];
  const workflow = paidWorkflow(3);
  const sink = createDownloadOutputSink(assets, async (name, blob) => downloads.push({ name, bytes: new Uint8Array(await blob.arrayBuffer()) }), {
    workflow: () => workflow,
  });
  const save = async (prefix: string) => {
    const names = await sink.save(refs, { nodeId: 's', prefix, signal: new AbortController().signal });
    await new Promise((r) => setTimeout(r, 0));
    return names;
  };
  return { save, downloads, workflow };
}

describe('download output sink with the workflow', () => {
  it('embeds the workflow in every PNG, so dropping one restores the graph', async () => {
    const { save, downloads, workflow } = await setup([png(10), png(200)]);
    expect(await save('shot')).toEqual(['shot-01.png', 'shot-02.png']);
    const restored = workflowFromPng(downloads[0]!.bytes, registry);
    expect(restored.ok && restored.workflow).toEqual(workflow);
    expect(downloads.map((d) => d.name)).toEqual(['shot-01.png', 'shot-02.png']);
  });

  it('writes one sidecar .json for formats without text chunks', async () => {
    const { save, downloads, workflow } = await setup([jpegLike(), png(1)]);
    expect(await save('mix')).toEqual(['mix-01.jpg', 'mix-02.png', 'mix.json']);
    expect(JSON.parse(new TextDecoder().decode(downloads[2]!.bytes))).toEqual(workflow);
    expect(downloads[0]!.bytes).toEqual(jpegLike());
  });

  it('puts the workflow next to the images inside a zip, and in the PNGs in it', async () => {
    const { save, downloads, workflow } = await setup([png(1), png(2), png(3), png(4)]);
    expect(await save('board')).toEqual(['board.zip']);
    const files = unzipSync(downloads[0]!.bytes);
    expect(Object.keys(files)).toEqual(['board-01.png', 'board-02.png', 'board-03.png', 'board-04.png', 'board.json']);
    expect(JSON.parse(new TextDecoder().decode(files['board.json']))).toEqual(workflow);
    const inZip = workflowFromPng(files['board-04.png']!, registry);
    expect(inZip.ok).toBe(true);
  });
});
