import { describe, expect, it } from 'vitest';
import { MAX_PARAM_STRING } from '../../app/graph/workflow-schema';
import { textPromptNode as node } from '../../nodes/text-prompt';
import { runNode, validateNode } from '../fixtures/node-harness';

describe('text.prompt params', () => {
  it.each([
    [{}, true],
    [{ text: 'Generate 3 images' }, true],
    [{ text: 'x'.repeat(600) }, true],
    [{ text: 'x'.repeat(MAX_PARAM_STRING + 1) }, false],
    [{ text: 3 }, false],
  ])('accepts %j: %s', (params, ok) => {
    expect(node.params.safeParse(params).success).toBe(ok);
  });
});

describe('text.prompt validate', () => {
  it.each([[''], ['  \n ']])('warns when the text is %j', (text) => {
    expect(validateNode(node, { text })).toEqual([expect.objectContaining({ severity: 'warning', code: 'prompt-empty', field: 'text' })]);
  });

  it('has no issues when there is text', () => {
    expect(validateNode(node, { text: 'a fox' })).toEqual([]);
  });
});

describe('text.prompt run', () => {
  it('outputs the text verbatim when run', async () => {
    const { outputs } = await runNode(node, { params: { text: ' Generate 2 images ' } });
    expect(outputs).toEqual({ text: ' Generate 2 images ' });
  });
});
