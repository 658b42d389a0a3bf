import { describe, expect, it } from 'vitest';
import { NodeInputError } from '../../nodes/errors';
import { selectFramesNode as node } from '../../nodes/select-frames';
import { testImage, testImages } from '../fixtures/fake-run-context';
import { link, runNode, validateNode } from '../fixtures/node-harness';

describe('image.select params', () => {
  it.each([
    [{}, true],
    [{ frames: '1,3-5' }, true],
    // Syntax is a validate() error with a position, not a schema error.
    [{ frames: 'garbage' }, true],
    [{ frames: 'x'.repeat(1001) }, false],
    [{ frames: 3 }, false],
  ])('accepts %j: %s', (params, ok) => {
    expect(node.params.safeParse(params).success).toBe(ok);
  });

  it('defaults to the first frame when parsing {}', () => {
    expect(node.params.parse({})).toEqual({ frames: '1' });
  });
});

describe('image.select validate', () => {
  it('errors with the position when the selection does not parse', () => {
    expect(validateNode(node, { frames: '1,0' }, { images: [link('image-list')] })).toEqual([
      { severity: 'error', code: 'frames-invalid', field: 'frames', message: '"0" at character 3: frames count from 1, there is no frame 0' },
    ]);
  });

  it('errors when the list length is known and a frame is beyond it', () => {
    const links = { images: [link('image', 1), link('image-list', 2)] };
    expect(validateNode(node, { frames: '2-4' }, links)).toEqual([
      expect.objectContaining({
        severity: 'error',
        code: 'frame-out-of-range',
        message: expect.stringMatching(/^Frame 4 is out of range: the list has 3 images/),
      }),
    ]);
  });

  it('has no issues when the list length is unknown', () => {
    expect(validateNode(node, { frames: '9' }, { images: [link('image-list')] })).toEqual([]);
  });
});

describe('image.select run', () => {
  it('picks the frames in selection order when they exist', async () => {
    const images = testImages(5);
    const { outputs } = await runNode(node, { params: { frames: '5,1-2' }, inputs: { images } });
    expect(outputs).toEqual({ images: [images[4], images[0], images[1]] });
  });

  it('treats a single image input as a one-item list when given one', async () => {
    const { outputs } = await runNode(node, { params: { frames: '1-' }, inputs: { images: testImage(1) } });
    expect(outputs).toEqual({ images: [testImage(1)] });
  });

  it('throws naming the index and the list length when a frame is out of range', async () => {
    const run = runNode(node, { params: { frames: '1,4' }, inputs: { images: testImages(3) }, nodeId: 'pick' });
    await expect(run).rejects.toBeInstanceOf(NodeInputError);
    await expect(run).rejects.toMatchObject({
      code: 'frame-out-of-range',
      field: 'frames',
      nodeId: 'pick',
      message: 'Frame 4 is out of range: the list has 3 images',
    });
  });

  it('throws frames-invalid when the selection does not parse', async () => {
    await expect(runNode(node, { params: { frames: '' }, inputs: { images: testImages(1) } })).rejects.toMatchObject({ code: 'frames-invalid' });
  });

  it('throws input-missing when the images input is absent', async () => {
    await expect(runNode(node, {})).rejects.toMatchObject({ code: 'input-missing', field: 'images' });
  });

  it('throws input-type when the input holds something else', async () => {
    await expect(runNode(node, { inputs: { images: 'a.png' } })).rejects.toMatchObject({ code: 'input-type', field: 'images' });
  });
});
