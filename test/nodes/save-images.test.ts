import { describe, expect, it } from 'vitest';
import { saveImagesNode as node } from '../../nodes/save-images';
import { createFakeRunContext, testImages } from '../fixtures/fake-run-context';
import { runNode } from '../fixtures/node-harness';

describe('image.save params', () => {
  it('defaults the prefix to "sequence" when parsing {}', () => {
    expect(node.params.parse({})).toEqual({ prefix: 'sequence' });
  });

  it.each([
    ['sequence', true],
    ['My shots_v2.final-cut', true],
    ['a', true],
    ['x'.repeat(64), true],
    ['x'.repeat(65), false],
    ['', false],
    ['a/b', false],
    ['..', false],
    ['../up', false],
    ['a..b', false],
    ['.hidden', false],
    ['C:\\x', false],
    ['name.', false],
    [' padded', false],
    ['padded ', false],
    ['tab\there', false],
    ['émoji', false],
  ])('accepts the prefix %j: %s', (prefix, ok) => {
    expect(node.params.safeParse({ prefix }).success).toBe(ok);
  });

  it.each([
    ['a/b', /only letters, digits, spaces and _ \. -/],
    ['.x', /cannot start with a dot/],
    ['a..b', /cannot contain "\.\."/],
    ['', /Enter a file name prefix/],
  ])('explains why %j is refused', (prefix, message) => {
    const result = node.params.safeParse({ prefix });
    expect(result.error?.issues[0]?.message).toMatch(message);
  });
});

describe('image.save run', () => {
  it('saves through the output sink and annotates the file names when run', async () => {
    const images = testImages(2);
    const ctx = createFakeRunContext();
    const { outputs } = await runNode(node, { params: { prefix: 'shots' }, inputs: { images }, ctx, nodeId: 'save-1' });
    expect(ctx.output.saves).toEqual([{ images, nodeId: 'save-1', prefix: 'shots' }]);
    expect(ctx.annotations).toEqual({ files: ['shots-001.png', 'shots-002.png'] });
    expect(outputs).toEqual({ images });
  });

  it('saves nothing when the run is already stopped', async () => {
    const ctx = createFakeRunContext();
    ctx.abort();
    await expect(runNode(node, { inputs: { images: testImages(1) }, ctx })).rejects.toThrow();
    expect(ctx.output.saves).toEqual([]);
  });
});
