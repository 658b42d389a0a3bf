import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixedPollPolicy } from '../../../app/api/poll-policy';
import { zBatchSummary } from '../../../app/batch';
import { EXIT, runCli } from '../../../app/server/cli/run-cli';
import { fakeFetch, simulator, tempDir, writePng } from './cli-fixtures';

const MB = 1024 * 1024;

describe('batch command at scale', () => {
  it('keeps memory flat over 1,000 rows', { timeout: 300_000 }, async () => {
    const dir = await tempDir();
    await writePng(dir, 'a.png');
    const rows = ['character,scenes,maxImages', ...Array.from({ length: 1000 }, (_, i) => `a.png,Generate 1 image number ${i + 1},1`)].join('\n');
    await writeFile(join(dir, 'rows.csv'), rows);
    const sim = await simulator({ timeScale: 0.001, workers: 64, queueDelayMs: 0, outputScale: 1 / 64 });
    const heap: number[] = [];
    const started = process.memoryUsage().heapUsed;
    const code = await runCli({
      argv: ['batch', 'character-scenes', '--rows', 'rows.csv', '--out', 'out', '--cache-dir', 'cache', '--concurrency', '16'],
      env: { RUNCOMFY_API_TOKEN: 'test-token', RUNCOMFY_BASE_URL: sim.baseUrl },
      cwd: dir,
      stdout: () => undefined,
      stderr: (t) => {
        if (/: done — /.test(t)) heap.push(process.memoryUsage().heapUsed);
      },
      fetch: fakeFetch(),
      pollPolicy: fixedPollPolicy(5),
      settleMs: 5_000,
    });
    expect(code).toBe(EXIT.ok);
    expect(heap).toHaveLength(1000);
    const s = zBatchSummary.parse(JSON.parse(await readFile(join(dir, 'out', 'batch.json'), 'utf8')));
    expect(s.totals).toMatchObject({ rows: 1000, succeeded: 1000, images: 1000 });
    expect(sim.counts.duplicateSubmits).toBe(0);
    // A generous sanity bound (the bench measures it properly): the heap after 1,000 rows is not
    // far above the heap after the first 100; holding every row's workflow and outputs would be.
    const early = Math.max(...heap.slice(50, 150));
    const late = Math.max(...heap.slice(-100));
    console.log(`heap: start ${(started / MB).toFixed(0)} MB, rows 50-150 ≤ ${(early / MB).toFixed(0)} MB, last 100 ≤ ${(late / MB).toFixed(0)} MB`);
    expect(late - early).toBeLessThan(150 * MB);
  });
});
