import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from '../../../app/server/cli/args';

describe('parseCliArgs', () => {
  it('reads an edit with repeated images and every option', () => {
    expect(
      parseCliArgs([
        'edit',
        '--image',
        'a.png',
        '--image',
        'https://x.runcomfy.net/b.png',
        '--prompt',
        'Generate 4 images',
        '--max',
        '4',
        '--resolution',
        '2560x1440 (16:9)',
        '--seed',
        '7',
        '--out',
        'o',
        '--concurrency',
        '2',
        '--cache-dir',
        'c',
        '--simulate',
        '--json',
      ]),
    ).toEqual({
      command: 'edit',
      images: ['a.png', 'https://x.runcomfy.net/b.png'],
      prompt: 'Generate 4 images',
      maxImages: 4,
      resolution: '2560x1440 (16:9)',
      seed: 7,
      out: 'o',
      concurrency: 2,
      cacheDir: 'c',
      simulate: true,
      json: true,
      repay: [],
    });
  });

  it('reads a run with --set overrides and defaults the rest', () => {
    expect(parseCliArgs(['run', 'storyboard', '--set', 'gen.maxImages=2', '--out', 'o'])).toEqual({
      command: 'run',
      source: 'storyboard',
      sets: ['gen.maxImages=2'],
      out: 'o',
      concurrency: 4,
      simulate: false,
      json: false,
      repay: [],
    });
  });

  it('reads every --repay job id in order', () => {
    expect(parseCliArgs(['run', 'w.json', '--out', 'o', '--repay', 'job-1', '--repay', 'all'])).toMatchObject({ repay: ['job-1', 'all'] });
  });

  it.each([
    [[], 'help'],
    [['--help'], 'help'],
    [['edit', '-h'], 'help'],
    [['templates'], 'templates'],
  ])('%j → %s', (argv, command) => expect(parseCliArgs(argv).command).toBe(command));

  it.each([
    [['run', '--out', 'o'], /exactly one/],
    [['run', 'a', 'b', '--out', 'o'], /exactly one/],
    [['run', 'a', '--out', 'o', '--concurrency', '0'], /./],
    [['edit', 'stray', '--image', 'a', '--prompt', 'p', '--out', 'o'], /no positional/],
    [['edit', '--image', 'a', '--prompt', 'p', '--out', 'o', '--seed=-1'], /--seed must be at least 0/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});
