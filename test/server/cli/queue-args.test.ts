import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from '../../../app/server/cli/args';

const URL = 'postgres://studio@db.local:5432/studio';

describe('parseCliArgs (queue commands)', () => {
  it.each([
    [['worker', '--queue', URL], { command: 'worker', queue: URL, concurrency: 4, leaseSeconds: 30 }],
    [
      ['worker', '--queue', URL, '--concurrency', '8', '--lease-seconds', '5', '--cache-dir', 'c'],
      { command: 'worker', queue: URL, concurrency: 8, leaseSeconds: 5, cacheDir: 'c' },
    ],
    [['collect', '--queue', URL, '--out', 'o', '--batch', 'b1'], { command: 'collect', queue: URL, out: 'o', batchId: 'b1', json: false }],
  ])('reads %j when it is well formed', (argv, expected) => {
    expect(parseCliArgs(argv)).toEqual(expected);
  });

  it('adds the queue to a batch command', () => {
    expect(parseCliArgs(['batch', 't', '--rows', 'r.csv', '--out', 'o', '--queue', URL])).toMatchObject({ command: 'batch', queue: URL });
  });

  it.each([
    [['worker'], /worker needs --queue postgres:\/\//],
    [['worker', '--queue', 'mysql://x'], /worker needs --queue postgres:\/\//],
    [['worker', '--queue', URL, '--lease-seconds', '0'], /--lease-seconds must be at least 1/],
    [['collect', '--queue', URL], /collect needs --out/],
    [['batch', 't', '--rows', 'r.csv', '--out', 'o', '--queue', 'db.local'], /--queue expects a PostgreSQL URL/],
    [['batch', 't', '--rows', 'r.csv', '--out', 'o', '--queue', URL, '--simulate'], /cannot be used with --simulate/],
  ])('refuses %j, saying what is wrong', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});
