import { describe, expect, it } from 'vitest';
import { NodeInputError } from '../../nodes/errors';
import { loadImageNode as node } from '../../nodes/load-image';
import { testImage } from '../fixtures/fake-run-context';
import { runNode, validateNode } from '../fixtures/node-harness';

const URL_REF = { kind: 'url', url: 'https://example.com/a.png' } as const;

describe('image.load params', () => {
  it.each([
    [{}, true],
    [{ image: null }, true],
    [{ image: testImage(1) }, true],
    [{ image: URL_REF }, true],
    [{ image: { kind: 'url', url: 'http://example.com/a.png' } }, false],
    [{ image: { kind: 'url', url: 'file:///etc/passwd' } }, false],
    [{ image: { kind: 'asset', assetId: 'abc', mime: 'image/png' } }, false],
    [{ image: 'https://example.com/a.png' }, false],
  ])('accepts %j: %s', (params, ok) => {
    expect(node.params.safeParse(params).success).toBe(ok);
  });
});

describe('image.load validate', () => {
  it('errors on the image field when no image is chosen', () => {
    expect(validateNode(node, {})).toEqual([{ severity: 'error', code: 'image-missing', field: 'image', message: 'Choose a file or paste an https URL' }]);
  });

  it('has no issues when an image is chosen', () => {
    expect(validateNode(node, { image: URL_REF })).toEqual([]);
  });
});

describe('image.load run', () => {
  it.each([[testImage(1)], [URL_REF]])('returns the reference without fetching when given %j', async (image) => {
    const { outputs, ctx } = await runNode(node, { params: { image } });
    expect(outputs).toEqual({ image });
    expect(ctx.assets.bytes.size).toBe(0);
  });

  it('throws a NodeInputError when no image is chosen', async () => {
    await expect(runNode(node, {})).rejects.toSatisfy((e) => e instanceof NodeInputError && e.code === 'image-missing' && e.field === 'image');
  });
});
