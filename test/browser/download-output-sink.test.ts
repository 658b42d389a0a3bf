import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { createDownloadOutputSink, ZIP_THRESHOLD } from '../../app/browser/download-output-sink';
import { MemoryAssetStore } from '../fixtures/fake-run-context';

async function setup(count: number) {
  const assets = new MemoryAssetStore();
  const refs = [];
  for (let i = 0; i < count; i++) refs.push(await assets.put(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, i])));
  const downloads: { name: string; blob: Blob }[] = [];
  const sink = createDownloadOutputSink(assets, (name, blob) => downloads.push({ name, blob }));
  return { refs, downloads, sink };
}

describe('download output sink', () => {
  it('downloads one file per image when there are few', async () => {
    const { refs, downloads, sink } = await setup(ZIP_THRESHOLD);
    const names = await sink.save(refs, { nodeId: 's', prefix: 'shot', signal: new AbortController().signal });
    expect(names).toEqual(['shot-01.png', 'shot-02.png', 'shot-03.png']);
    expect(downloads.map((d) => d.name)).toEqual(names);
  });

  it('downloads one zip holding every image when there are many', async () => {
    const { refs, downloads, sink } = await setup(8);
    const names = await sink.save(refs, { nodeId: 's', prefix: 'board', signal: new AbortController().signal });
    expect(names).toEqual(['board.zip']);
    const files = unzipSync(new Uint8Array(await downloads[0]!.blob.arrayBuffer()));
    expect(Object.keys(files)).toEqual(Array.from({ length: 8 }, (_, i) => `board-0${i + 1}.png`));
    expect(files['board-08.png']![8]).toBe(7);
  });

  it('saves nothing when the run is stopped first', async () => {
    const { refs, downloads, sink } = await setup(2);
    const controller = new AbortController();
    controller.abort();
    await expect(sink.save(refs, { nodeId: 's', prefix: 'x', signal: controller.signal })).rejects.toThrow();
    expect(downloads).toHaveLength(0);
  });
});
