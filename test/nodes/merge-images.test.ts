import { describe, expect, it } from 'vitest';
import { mergeImagesNode as node } from '../../nodes/merge-images';
import { testImage, testImages } from '../fixtures/fake-run-context';
import { runNode } from '../fixtures/node-harness';

const URL_REF = { kind: 'url', url: 'https://example.com/a.png' } as const;

describe('image.merge params', () => {
  it.each([
    [{}, true],
    [{ dedupe: true }, true],
    [{ dedupe: 'yes' }, false],
  ])('accepts %j: %s', (params, ok) => {
    expect(node.params.safeParse(params).success).toBe(ok);
  });
});

describe('image.merge run', () => {
  it('passes the merged list through in order when dedupe is off', async () => {
    const images = [testImage(1), testImage(2), testImage(1)];
    const { outputs } = await runNode(node, { inputs: { images } });
    expect(outputs).toEqual({ images });
  });

  it('keeps the first copy of each asset or URL when dedupe is on', async () => {
    const [a, b] = testImages(2);
    const images = [a!, URL_REF, b!, a!, { ...URL_REF }];
    const { outputs } = await runNode(node, { params: { dedupe: true }, inputs: { images } });
    expect(outputs).toEqual({ images: [a, URL_REF, b] });
  });
});
