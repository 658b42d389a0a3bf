import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixedPollPolicy } from '../../../app/api/poll-policy';
import { zBatchSummary, type BatchSummary } from '../../../app/batch';
import { zManifest } from '../../../app/server/cli/manifest';
import { EXIT, runCli } from '../../../app/server/cli/run-cli';
import type { SimulatorHandle } from '../../../app/server/simulator';
import { FAST_SIM, fakeFetch, simulator, tempDir, writePng } from './cli-fixtures';

interface BatchRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Simulator submits counted when each stderr line was written. */
  lines: { text: string; submits: number }[];
}

/** The CLI in-process against `sim`, with the submit count noted at every stderr line. */
async function batch(argv: string[], o: { cwd: string; sim: SimulatorHandle; signal?: AbortSignal; tty?: { write(t: string): void } }): Promise<BatchRun> {
  const out: string[] = [];
  const lines: BatchRun['lines'] = [];
  const code = await runCli({
    argv: ['batch', ...argv],
    env: { RUNCOMFY_API_TOKEN: 'test-token', RUNCOMFY_BASE_URL: o.sim.baseUrl },
    cwd: o.cwd,
    stdout: (t) => out.push(t),
    stderr: (t) => lines.push({ text: t, submits: o.sim.counts.submits }),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.tty ? { tty: o.tty } : {}),
    fetch: fakeFetch(),
    simulator: FAST_SIM,
    pollPolicy: fixedPollPolicy(20),
    settleMs: 5_000,
  });
  return { code, stdout: out.join('\n'), stderr: lines.map((l) => l.text).join('\n'), lines };
}

const readSummary = async (dir: string): Promise<BatchSummary> => zBatchSummary.parse(JSON.parse(await readFile(join(dir, 'batch.json'), 'utf8')));

/** A folder with PNGs a.png, b.png, c.png and a rows file; returns the folder. */
async function rowsDir(name: string, text: string): Promise<string> {
  const dir = await tempDir();
  for (const [i, n] of ['a', 'b', 'c'].entries()) await writePng(dir, `${n}.png`, 40 + i * 8, 32);
  await writeFile(join(dir, name), text);
  return dir;
}

const GOOD = 'id,character,scenes,maxImages\nfox,a.png,"Generate 2 images: forest, beach",2\nowl,b.png,Generate 1 image in snow,1\n';

describe('batch command', () => {
  it('runs every row into its own folder with a manifest, prints the cost first and writes batch.json', async () => {
    const [dir, sim] = [await rowsDir('rows.csv', GOOD), await simulator()];
    const r = await batch(['character-scenes', '--rows', 'rows.csv', '--out', 'out', '--cache-dir', 'cache'], { cwd: dir, sim });
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const cost = r.lines.find((l) => l.text.startsWith('Cost:'))!;
    expect(cost.text).toBe('Cost: up to $0.12 for 2 paid job(s) in 2 row(s) to run.');
    expect(cost.submits).toBe(0);
    expect(sim.counts.submits).toBe(2);
    const s = await readSummary(join(dir, 'out'));
    expect(s.status).toBe('succeeded');
    expect(s.rows.map((x) => [x.id, x.line, x.status, x.files.length, x.requestIds.length])).toEqual([
      ['fox', 2, 'succeeded', 2, 1],
      ['owl', 3, 'succeeded', 1, 1],
    ]);
    expect(s.totals).toMatchObject({ rows: 2, succeeded: 2, images: 3, costUsd: 0.12, maxCostUsd: 0.12 });
    expect((await readdir(join(dir, 'out', 'fox'))).sort()).toEqual(['character_00001.png', 'character_00002.png', 'manifest.json']);
    const m = zManifest.parse(JSON.parse(await readFile(join(dir, 'out', 'fox', 'manifest.json'), 'utf8')));
    expect(m).toMatchObject({ status: 'succeeded', requests: [{ requestId: s.rows[0]!.requestIds[0] }] });
    expect(r.stderr).toMatch(/row fox \(line 2\): done — 2 image\(s\), \$0\.08/);
  });

  it('lists every bad row with its line, column and reason, and submits nothing', async () => {
    const text = 'character,scenes\na.png,Generate 2 images\nmissing.png,Generate 2 images\nb.png,\nc.png,"' + 'x'.repeat(3000) + '"\n';
    const [dir, sim] = [await rowsDir('rows.csv', text), await simulator()];
    const r = await batch(['character-scenes', '--rows', 'rows.csv', '--out', 'out'], { cwd: dir, sim });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/rows\.csv:3 \[character\]: Image file not found: .*missing\.png/);
    expect(r.stderr).toMatch(/rows\.csv:4 \[scenes\]: "Scenes" needs a value in every row/);
    expect(r.stderr).toMatch(/rows\.csv:5 \[scenes\] \(node gen\): The prompt has 3000 characters/);
    expect(r.stderr).toMatch(/3 row\(s\) of 4 cannot run; nothing was submitted.*--skip-invalid/);
    expect(sim.counts.submits).toBe(0);
  });

  it('lists the problems in the order of the file, a repeated id among them', async () => {
    const text = 'id,character,scenes\na,a.png,Generate 1 image\nb,missing.png,Generate 1 image\na,a.png,Generate 1 image\nc,b.png,\n';
    const [dir, sim] = [await rowsDir('rows.csv', text), await simulator()];
    const r = await batch(['character-scenes', '--rows', 'rows.csv', '--out', 'out'], { cwd: dir, sim });
    expect(r.code).toBe(EXIT.usage);
    const lines = r.stderr.split('\n').flatMap((l) => /^rows\.csv:(\d+) \[(\w+)\]/.exec(l)?.slice(1, 3).join(' ') ?? []);
    expect(lines).toEqual(['3 character', '4 id', '5 scenes']);
    expect(r.stderr).toMatch(/3 row\(s\) of 4 cannot run/);
    expect(sim.counts.submits).toBe(0);
  });

  it('refuses unknown columns and sample fields without a column before checking any row', async () => {
    const [dir, sim] = [await rowsDir('rows.tsv', 'character\tcolour\na.png\tred\n'), await simulator()];
    const r = await batch(['character-scenes', '--rows', 'rows.tsv', '--out', 'out'], { cwd: dir, sim });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/rows\.tsv:1 \[colour\]: No template field "colour"/);
    expect(r.stderr).toMatch(/rows\.tsv:1 \[scenes\]: The template's "Scenes" is only a sample/);
    expect(r.stderr).not.toMatch(/Checking/);
  });

  it('runs the good rows with --skip-invalid and reports the others in batch.json', async () => {
    const text =
      '{"id":"ok","character":"a.png","scenes":"Generate 1 image","maxImages":1}\n{"id":"bad","character":"nope.png","scenes":"Generate 1 image"}\nnot json\n';
    const [dir, sim] = [await rowsDir('rows.jsonl', text), await simulator()];
    const r = await batch(['character-scenes', '--rows', 'rows.jsonl', '--out', 'out', '--skip-invalid', '--json'], { cwd: dir, sim });
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(sim.counts.submits).toBe(1);
    const printed = zBatchSummary.parse(JSON.parse(r.stdout));
    expect(printed.rows.map((x) => [x.id, x.status])).toEqual([
      ['ok', 'succeeded'],
      ['bad', 'invalid'],
    ]);
    expect(printed.rows[1]!.problems).toMatchObject([{ line: 2, column: 'character', code: 'value-invalid' }]);
    expect(printed.problems).toMatchObject([{ line: 3, code: 'syntax' }]);
    // The line that never became a row is counted in the last line too, not only in batch.json.
    expect(r.stderr).toMatch(/Batch succeeded: 1\/2 row\(s\) succeeded, 1 invalid, 1 more line\(s\) of the rows file not run \(batch\.json problems\)/);
    expect(await readSummary(join(dir, 'out'))).toEqual(printed);
  });

  it('refuses a batch whose maximum is over --max-spend, before any submit', async () => {
    const [dir, sim] = [await rowsDir('rows.csv', GOOD), await simulator()];
    const r = await batch(['character-scenes', '--rows', 'rows.csv', '--out', 'out', '--max-spend', '0.10'], { cwd: dir, sim });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/Cost: up to \$0\.12/);
    expect(r.stderr).toMatch(/could cost up to \$0\.12, over --max-spend \$0\.10; nothing was submitted/);
    expect(sim.counts.submits).toBe(0);
  });

  it('keeps every submit under the cap when the cap is exactly the maximum', async () => {
    const rows = ['character,scenes,maxImages', ...Array.from({ length: 6 }, (_, i) => `a.png,Generate 3 images number ${i},3`)].join('\n');
    const [dir, sim] = [await rowsDir('rows.csv', rows), await simulator()];
    const r = await batch(['character-scenes', '--rows', 'rows.csv', '--out', 'out', '--max-spend', '0.72', '--concurrency', '4'], { cwd: dir, sim });
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const reserved = sim.state.jobs().reduce((usd, j) => usd + 0.04 * j.input.sequential_image_generation_options, 0);
    expect(reserved).toBeLessThanOrEqual(0.72 + 1e-9);
    expect((await readSummary(join(dir, 'out'))).totals).toMatchObject({ succeeded: 6, capUsd: 0.72 });
  });
});
