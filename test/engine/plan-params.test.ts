import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { describeZodIssue } from '../../app/engine/plan-params';

const schema = z.object({
  n: z.number().int().min(1).max(15),
  gt: z.number().gt(0),
  s: z.string().min(1),
  long: z.string().max(3),
  list: z.array(z.string()).max(1),
  pick: z.enum(['a', 'b']),
  custom: z.string().refine((v) => v === 'ok', 'the custom check failed'),
  nested: z.object({ flag: z.boolean() }),
});

describe('describeZodIssue', () => {
  it.each([
    ['n', { n: 20 }, 'n: must be at most 15 (got 20)'],
    ['n', { n: 0 }, 'n: must be at least 1 (got 0)'],
    ['n', { n: 'x' }, 'n: must be a number (got "x")'],
    ['gt', { gt: 0 }, 'gt: must be more than 0 (got 0)'],
    ['s', { s: '' }, 's: must not be empty (got "")'],
    ['long', { long: 'abcd' }, 'long: must be at most 3 characters (got "abcd")'],
    ['list', { list: ['a', 'b'] }, 'list: must have at most 1 item (got ["a","b"])'],
    ['pick', { pick: 'c' }, 'pick: must be one of "a", "b" (got "c")'],
    ['custom', { custom: 'no' }, 'custom: the custom check failed (got "no")'],
    ['nested', { nested: { flag: 'y' } }, 'nested.flag: must be a boolean (got "y")'],
  ])('rephrases a failing %s as "field: what was wrong"', (field, value, text) => {
    const result = schema.pick({ [field]: true } as never).safeParse(value);
    expect(result.success).toBe(false);
    if (!result.success) expect(describeZodIssue(result.error.issues[0]!, value)).toBe(text);
  });
});
