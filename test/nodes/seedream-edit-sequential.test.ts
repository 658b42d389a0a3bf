import { readJobMeta } from '../../app/graph/generation';
import { describe, expect, it } from 'vitest';
import type { PortValue } from '../../app/graph/ports';
import { RESOLUTIONS } from '../../app/model/seedream';
import { NodeInputError, type NodeInputCode } from '../../nodes/errors';
import { seedreamEditSequentialNode as node } from '../../nodes/seedream-edit-sequential';
import { createFakeRunContext, testImages } from '../fixtures/fake-run-context';
import { link, runNode, validateNode } from '../fixtures/node-harness';

const PROMPT = 'Generate 3 images of the same man riding through a city at dusk';

describe('seedream.edit-sequential params', () => {
  it('gives the playground defaults when parsing {}', () => {
    expect(node.params.parse({})).toEqual({ prompt: '', maxImages: 3, resolution: '2048x2048 (1:1)', seed: 54519385 });
  });

  it.each([
    [{ maxImages: 1 }, true],
    [{ maxImages: 15 }, true],
    [{ maxImages: 0 }, false],
    [{ maxImages: 16 }, false],
    [{ maxImages: 2.5 }, false],
    [{ maxImages: '3' }, false],
    [{ seed: 0 }, true],
    [{ seed: 2147483647 }, true],
    [{ seed: 2147483648 }, false],
    [{ seed: -1 }, false],
    [{ seed: 1.5 }, false],
    [{ resolution: '1024x1024 (1:1)' }, false],
    [{ resolution: '2k' }, false],
    [{ prompt: 'x'.repeat(599) }, true],
    // Length is a validate() error, so a long inline prompt can sit unused while one is linked.
    [{ prompt: 'x'.repeat(600) }, true],
    [{ prompt: 42 }, false],
  ])('accepts %j: %s', (params, ok) => {
    expect(node.params.safeParse(params).success).toBe(ok);
  });

  it.each(RESOLUTIONS.map((r) => [r]))('accepts the resolution %j', (resolution) => {
    expect(node.params.parse({ resolution }).resolution).toBe(resolution);
  });
});

describe('seedream.edit-sequential validate', () => {
  const refs = (...counts: (number | undefined)[]) => ({ images: counts.map((c) => link('image-list', c)) });

  it('has no issues when 3 references feed a prompt asking for 3 images', () => {
    expect(validateNode(node, { prompt: PROMPT }, refs(3))).toEqual([]);
  });

  it('errors when the images input has no link', () => {
    expect(validateNode(node, { prompt: PROMPT }, {})).toEqual([
      expect.objectContaining({ severity: 'error', code: 'input-missing', field: 'images', message: 'Connect 1–14 reference images' }),
    ]);
  });

  it('errors when the known references exceed 14', () => {
    const issues = validateNode(node, { prompt: 'Generate 1 image', maxImages: 1 }, refs(10, 5));
    expect(issues).toEqual([expect.objectContaining({ severity: 'error', code: 'reference-count', message: expect.stringMatching(/1–14.*15 arrived/) })]);
  });

  it('says "at least" when some reference counts are unknown', () => {
    const issues = validateNode(node, { prompt: 'Generate 1 image', maxImages: 1 }, refs(15, undefined));
    expect(issues[0]?.message).toMatch(/at least 15 arrived/);
  });

  it('errors when the linked lists are known to be empty', () => {
    const issues = validateNode(node, { prompt: PROMPT }, refs(0));
    expect(issues).toEqual([
      expect.objectContaining({ severity: 'error', code: 'reference-count', message: 'Seedream takes 1–14 reference images; none arrived' }),
    ]);
  });

  it('counts an image link as one reference when its count is blank', () => {
    const issues = validateNode(node, { prompt: 'Generate 2 images', maxImages: 2 }, { images: [link('image'), link('image-list', 13)] });
    expect(issues).toEqual([expect.objectContaining({ severity: 'warning', code: 'image-budget' })]);
  });

  it.each([
    ['', /Write a prompt/],
    ['   ', /Write a prompt/],
    ['x'.repeat(600), /600 characters; Seedream accepts at most 599/],
  ])('errors on the inline prompt %j when the prompt input is not linked', (prompt, message) => {
    const issues = validateNode(node, { prompt }, refs(1));
    expect(issues).toEqual([expect.objectContaining({ severity: 'error', field: 'prompt', message: expect.stringMatching(message) })]);
  });

  it('accepts a 599-character inline prompt', () => {
    expect(validateNode(node, { prompt: 'x'.repeat(599) }, refs(1))).toEqual([]);
  });

  it('ignores the inline prompt when the prompt input is linked', () => {
    const links = { ...refs(2), prompt: [link('text')] };
    expect(validateNode(node, { prompt: 'x'.repeat(700) }, links)).toEqual([]);
    expect(validateNode(node, { prompt: 'Generate 9 images' }, links)).toEqual([]);
  });

  it('warns when references + Max images exceed 15', () => {
    const issues = validateNode(node, { prompt: 'Generate 4 images', maxImages: 4 }, refs(12));
    expect(issues).toEqual([
      {
        severity: 'warning',
        code: 'image-budget',
        field: 'maxImages',
        message: '12 references + Max images 4 exceeds 15: the model can return at most 15 − 12 = 3 images, but the price follows Max images',
        fix: { label: 'Set Max images to 3', param: 'maxImages', value: 3 },
      },
    ]);
  });

  it('warns twice, each with its fix, for 2 references, Max images 14 and a prompt asking for 4 (issue 9, item 5)', () => {
    const issues = validateNode(node, { prompt: 'Generate 4 images of a kite', maxImages: 14 }, refs(2));
    expect(issues).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'image-budget', fix: { label: 'Set Max images to 13', param: 'maxImages', value: 13 } }),
      expect.objectContaining({ severity: 'warning', code: 'prompt-count-mismatch', fix: { label: 'Set Max images to 4', param: 'maxImages', value: 4 } }),
    ]);
  });

  it('offers no fix for a prompt asking for more images than can come back', () => {
    const issues = validateNode(node, { prompt: 'Generate 12 images', maxImages: 3 }, refs(5));
    expect(issues).toEqual([expect.objectContaining({ code: 'prompt-count-mismatch' })]);
    expect(issues[0]!.fix).toBeUndefined();
  });

  it('checks a linked prompt whose text is known before running (a Prompt node)', () => {
    const known = (text: string) => ({ ...refs(2), prompt: [{ ...link('text'), knownText: text }] });
    expect(validateNode(node, { prompt: '', maxImages: 3 }, known('Generate 4 images of a kite'))).toEqual([
      expect.objectContaining({
        severity: 'warning',
        code: 'prompt-count-mismatch',
        message: 'The linked prompt asks for 4 images but Max images is 3',
        fix: expect.objectContaining({ value: 4 }),
      }),
    ]);
    expect(validateNode(node, { maxImages: 3 }, known('  '))).toEqual([
      expect.objectContaining({ severity: 'error', code: 'prompt-empty', message: 'The prompt linked to this node is empty' }),
    ]);
    expect(validateNode(node, { maxImages: 3 }, known('x'.repeat(600)))).toEqual([expect.objectContaining({ severity: 'error', code: 'prompt-too-long' })]);
  });

  it('does not warn when references + Max images equal 15', () => {
    expect(validateNode(node, { prompt: 'Generate 4 images', maxImages: 4 }, refs(11))).toEqual([]);
  });

  it('warns when the prompt asks for a different count than Max images', () => {
    const issues = validateNode(node, { prompt: 'Generate 4 images of a fox', maxImages: 3 }, refs(1));
    expect(issues).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'prompt-count-mismatch', message: 'The prompt asks for 4 images but Max images is 3' }),
    ]);
  });

  it('does not warn when the prompt names no count', () => {
    expect(validateNode(node, { prompt: 'Make the man ride a bike', maxImages: 5 }, refs(1))).toEqual([]);
  });
});

describe('seedream.edit-sequential run', () => {
  it('sends exactly the request and returns the api images when inputs are valid', async () => {
    const images = testImages(2);
    const { outputs, ctx } = await runNode(node, {
      params: { prompt: PROMPT, maxImages: 3, resolution: '2560x1440 (16:9)', seed: 7 },
      inputs: { images },
    });
    expect(ctx.generation.calls).toHaveLength(1);
    expect(ctx.generation.calls[0]?.request).toEqual({
      model: 'bytedance/seedream-4-5/edit-sequential',
      references: images,
      prompt: PROMPT,
      params: { maxImages: 3, resolution: '2560x1440 (16:9)', seed: 7 },
      maxOutputs: 3,
    });
    expect(ctx.generation.calls[0]?.signal).toBe(ctx.signal);
    expect(ctx.generation.calls[0]?.job).toEqual({ nodeId: 'node-1', cacheKey: ctx.cacheKey, runId: 'run-test' });
    expect(outputs).toEqual({ images: testImages(3, 1000) });
  });

  it('uses the linked prompt instead of the inline one when linked', async () => {
    const { ctx } = await runNode(node, { params: { prompt: '' }, inputs: { images: testImages(1), prompt: 'Generate 3 images of rain' } });
    expect(ctx.generation.calls[0]?.request.prompt).toBe('Generate 3 images of rain');
  });

  it('annotates its job (one schema: request id, cost, output urls, what was asked) when the ledger answers', async () => {
    const ctx = createFakeRunContext();
    ctx.generation.respond = () => ({
      jobId: 'j-9',
      requestId: 'r-9',
      images: testImages(1),
      missing: [],
      outputUrls: ['https://out.example/1.png'],
      costUsd: 0.12,
      reused: false,
    });
    await runNode(node, { params: { prompt: PROMPT }, inputs: { images: testImages(1) }, ctx });
    expect(readJobMeta(ctx.annotations)).toEqual({
      jobId: 'j-9',
      requestId: 'r-9',
      costUsd: 0.12,
      request: {
        model: 'bytedance/seedream-4-5/edit-sequential',
        references: 1,
        prompt: PROMPT,
        params: { maxImages: 3, resolution: '2048x2048 (1:1)', seed: 54519385 },
      },
      outputUrls: ['https://out.example/1.png'],
      missing: [],
      reused: false,
    });
    expect(ctx.logs).toContainEqual({ level: 'info', message: 'Seedream returned 1 image of up to 3' });
    expect(ctx.uncacheable.reason).toBeUndefined();
  });

  it('delivers the images that arrived, warns, and stays out of the cache when some are missing', async () => {
    const ctx = createFakeRunContext();
    ctx.generation.respond = () => ({
      jobId: 'j-1',
      requestId: 'r-1',
      images: testImages(2),
      missing: [{ index: 2, url: 'https://out.example/3.png', reason: 'HTTP 500' }],
      outputUrls: ['https://out.example/1.png', 'https://out.example/2.png', 'https://out.example/3.png'],
      reused: false,
    });
    const { outputs } = await runNode(node, { params: { prompt: PROMPT }, inputs: { images: testImages(1) }, ctx });
    expect(outputs).toEqual({ images: testImages(2) });
    expect(ctx.uncacheable.reason).toContain('1 image of request r-1');
    expect(ctx.logs).toContainEqual({ level: 'warn', message: expect.stringContaining('could not be fetched (#3)') });
    expect(readJobMeta(ctx.annotations)?.missing).toHaveLength(1);
  });

  it('forwards progress detail and message when the api reports progress', async () => {
    const ctx = createFakeRunContext();
    ctx.generation.progress = [[{ phase: 'queued', requestId: 'req-1', queuePosition: 2 }, 'In queue (position 2)']];
    await runNode(node, { params: { prompt: PROMPT }, inputs: { images: testImages(1) }, ctx });
    expect(ctx.progressCalls).toEqual([
      { fraction: undefined, message: 'In queue (position 2)', detail: { phase: 'queued', requestId: 'req-1', queuePosition: 2 } },
    ]);
  });

  type RefusalCase = [string, Record<string, PortValue>, { prompt?: string }, NodeInputCode, string];
  it.each<RefusalCase>([
    ['15 references', { images: testImages(15) }, { prompt: PROMPT }, 'reference-count', 'images'],
    ['no references', { images: [] }, { prompt: PROMPT }, 'reference-count', 'images'],
    ['an unlinked images input', {}, { prompt: PROMPT }, 'input-missing', 'images'],
    ['an empty linked prompt', { images: testImages(1), prompt: '  ' }, { prompt: PROMPT }, 'prompt-empty', 'prompt'],
    ['a 600-character linked prompt', { images: testImages(1), prompt: 'y'.repeat(600) }, {}, 'prompt-too-long', 'prompt'],
    ['an empty inline prompt', { images: testImages(1) }, { prompt: '' }, 'prompt-empty', 'prompt'],
  ])('refuses %s without calling the ledger', async (_, inputs, params, code, field) => {
    const ctx = createFakeRunContext();
    const run = runNode(node, { params, inputs, ctx, nodeId: 'seq-1' });
    await expect(run).rejects.toBeInstanceOf(NodeInputError);
    await expect(run).rejects.toMatchObject({ code, field, nodeId: 'seq-1' });
    expect(ctx.generation.calls).toHaveLength(0);
  });

  it('logs a warning when references + Max images exceed 15 at run time', async () => {
    const { ctx } = await runNode(node, { params: { prompt: 'Generate 2 images', maxImages: 2 }, inputs: { images: testImages(14) } });
    expect(ctx.logs).toContainEqual({ level: 'warn', message: expect.stringMatching(/15 − 14 = 1 image, but the price follows Max images$/) });
    expect(ctx.generation.calls).toHaveLength(1);
  });

  it('does not call the api when the run is already stopped', async () => {
    const ctx = createFakeRunContext();
    ctx.abort(new Error('stopped by user'));
    await expect(runNode(node, { params: { prompt: PROMPT }, inputs: { images: testImages(1) }, ctx })).rejects.toThrow('stopped by user');
    expect(ctx.generation.calls).toHaveLength(0);
  });

  it('passes api errors through unchanged when the api fails', async () => {
    const ctx = createFakeRunContext();
    const failure = new Error('upstream unavailable');
    ctx.generation.respond = () => Promise.reject(failure);
    await expect(runNode(node, { params: { prompt: PROMPT }, inputs: { images: testImages(1) }, ctx })).rejects.toBe(failure);
  });
});
