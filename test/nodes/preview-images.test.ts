import { describe, expect, it } from 'vitest';
import { previewImagesNode as node } from '../../nodes/preview-images';
import { testImages } from '../fixtures/fake-run-context';
import { runNode } from '../fixtures/node-harness';

describe('image.preview params', () => {
  it.each([[{}], [{ unknown: 1 }]])('parses %j to no params', (params) => {
    expect(node.params.parse(params)).toEqual({});
  });
});

describe('image.preview run', () => {
  it('passes the images through when run', async () => {
    const images = testImages(3);
    const { outputs, ctx } = await runNode(node, { inputs: { images } });
    expect(outputs).toEqual({ images });
    expect(ctx.output.saves).toEqual([]);
  });
});
