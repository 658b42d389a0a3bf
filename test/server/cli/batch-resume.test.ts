import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixedPollPolicy } from '../../../app/api/poll-policy';
import { zBatchSummary, type BatchSummary } from '../../../app/batch';
import { EXIT, InterruptError, runCli } from '../../../app/server/cli/run-cli';
import { simFaults, type SimulatorHandle } from '../../../app/server/simulator';
import { fakeFetch, simulator, tempDir, writePng } from './cli-fixtures';

async function batch(argv: string[], o: { cwd: string; sim: SimulatorHandle; signal?: AbortSignal; tty?: { write(t: string): void; columns?: number } }) {
  const err: string[] = [];
  const code = await runCli({
    argv: ['batch', ...argv],
    env: { RUNCOMFY_API_TOKEN: 'test-token', RUNCOMFY_BASE_URL: o.sim.baseUrl },
    cwd: o.cwd,
    stdout: () => undefined,
    stderr: (t) => err.push(t),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.tty ? { tty: o.tty } : {}),
    fetch: fakeFetch(),
    pollPolicy: fixedPollPolicy(20),
    settleMs: 5_000,
  });
  return { code, stderr: err.join('\n') };
}

/** Reads batch.json again and again while `running` is pending: every read must be whole, valid JSON of the schema. */
async function watchBatchFile(path: string, running: Promise<unknown>): Promise<{ reads: number; invalid: string[] }> {
  let over = false;
  void running.finally(() => (over = true));
  const seen = { reads: 0, invalid: [] as string[] };
  for (let i = 0; i < 20_000 && !over; i++) {
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text !== undefined) {
      seen.reads++;
      try {
        zBatchSummary.parse(JSON.parse(text));
      } catch (e) {
        seen.invalid.push(String(e));
      }
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  return seen;
}

const readSummary = async (dir: string): Promise<BatchSummary> => zBatchSummary.parse(JSON.parse(await readFile(join(dir, 'out', 'batch.json'), 'utf8')));
const ROWS = ['id,character,scenes,maxImages', ...Array.from({ length: 8 }, (_, i) => `r${i + 1},a.png,Generate 2 images number ${i + 1},2`)].join('\n');

describe('batch command, resumed', () => {
  it('after an interrupt runs only the unfinished rows, re-attaching jobs in flight and submitting nothing twice', { timeout: 60_000 }, async () => {
    const dir = await tempDir();
    await writePng(dir, 'a.png');
    await writeFile(join(dir, 'rows.csv'), ROWS);
    // Jobs start at once and run ~0.2 s: a stop finds them running (billed, cannot be cancelled) and leaves them to the next run.
    const sim = await simulator({ timeScale: 0.05, workers: 64, queueDelayMs: 0 });
    const argv = ['character-scenes', '--rows', 'rows.csv', '--out', 'out', '--cache-dir', 'cache', '--concurrency', '2'];

    const stop = new AbortController();
    const first = batch(argv, { cwd: dir, sim, signal: stop.signal });
    const watched = watchBatchFile(join(dir, 'out', 'batch.json'), first);
    for (let i = 0; i < 2_000 && sim.counts.submits < 4; i++) await new Promise((r) => setTimeout(r, 5));
    stop.abort(new InterruptError('SIGINT'));
    const r1 = await first;
    expect(r1.code, r1.stderr).toBe(130);
    const seen = await watched;
    expect(seen.invalid).toEqual([]);
    expect(seen.reads).toBeGreaterThan(0);

    const after1 = await readSummary(dir);
    expect(after1.status).toBe('interrupted');
    const succeeded1 = after1.rows.filter((r) => r.status === 'succeeded').map((r) => r.id);
    const interrupted1 = after1.rows.filter((r) => r.status === 'interrupted');
    expect(succeeded1.length).toBeGreaterThan(0);
    expect(interrupted1.length).toBeGreaterThan(0);
    for (const r of interrupted1) expect(r.requestIds).toHaveLength(1);
    // A row ends when stopped, before the cancel is answered: what became of its job is said once the answers are in.
    for (const r of interrupted1)
      expect(r1.stderr).toMatch(new RegExp(`row ${r.id}: request ${r.requestIds[0]} is still running at RunComfy — it will be billed\\. Run the batch again`));
    expect(after1.rows.filter((r) => r.status === 'queued').length).toBeGreaterThan(0);

    const r2 = await batch(argv, { cwd: dir, sim });
    expect(r2.code, r2.stderr).toBe(EXIT.ok);
    expect(r2.stderr).toMatch(/collecting earlier request/);
    const after2 = await readSummary(dir);
    expect(after2.totals).toMatchObject({ rows: 8, succeeded: 8 });
    expect(after2.rows.filter((r) => r.doneEarlier).map((r) => r.id)).toEqual(succeeded1);
    for (const r of interrupted1) expect(after2.rows.find((x) => x.id === r.id)!.requestIds).toEqual(r.requestIds);
    // The jobs collected now were billed in the first run: they count in their rows' cost, so the batch's is every job's.
    for (const r of interrupted1) expect(after2.rows.find((x) => x.id === r.id)!.costUsd).toBeCloseTo(0.08);
    expect(after2.totals.costUsd).toBeCloseTo(8 * 0.08);
    expect(r2.stderr).toMatch(/Cost: up to \$[\d.]+ for (\d+) paid job\(s\)/);
    expect(sim.counts.submits).toBe(8);
    expect(sim.counts.duplicateSubmits).toBe(0);

    const r3 = await batch(argv, { cwd: dir, sim });
    expect(r3.code).toBe(EXIT.ok);
    expect(r3.stderr).toMatch(/Cost: \$0 \(nothing to submit\) in 0 row\(s\) to run; 8 row\(s\) done earlier/);
    expect(sim.counts.submits).toBe(8);
  });

  it('says after a stop which queued jobs were cancelled (not billed) and which were running (billed)', { timeout: 30_000 }, async () => {
    const dir = await tempDir();
    await writePng(dir, 'a.png');
    await writeFile(join(dir, 'rows.csv'), ROWS.split('\n').slice(0, 3).join('\n'));
    // One worker: of two rows at once, one job runs and the other waits in the queue.
    const sim = await simulator({ timeScale: 0.2, workers: 1, queueDelayMs: 0 });
    const stop = new AbortController();
    const run = batch(['character-scenes', '--rows', 'rows.csv', '--out', 'out', '--cache-dir', 'cache', '--concurrency', '2'], {
      cwd: dir,
      sim,
      signal: stop.signal,
    });
    for (let i = 0; i < 2_000 && sim.counts.submits < 2; i++) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    stop.abort(new InterruptError('SIGINT'));
    const r = await run;
    expect(r.code, r.stderr).toBe(130);
    const rows = (await readSummary(dir)).rows;
    expect(rows.map((x) => x.status)).toEqual(['interrupted', 'interrupted']);
    const said = rows.map((x) => new RegExp(`row ${x.id}: (.*)`).exec(r.stderr)?.[1] ?? '');
    expect(said.filter((t) => /^Cancelled at the API before it started — request \S+ is not billed\.$/.test(t))).toHaveLength(1);
    expect(said.filter((t) => /^request \S+ is still running at RunComfy — it will be billed\./.test(t))).toHaveLength(1);
    expect(sim.counts.requests.cancel).toBeGreaterThan(0);
  });

  it('reports an unknown submission on the next run and never submits it again without --repay', { timeout: 30_000 }, async () => {
    const dir = await tempDir();
    await writePng(dir, 'a.png');
    await writeFile(join(dir, 'rows.csv'), ROWS.split('\n').slice(0, 4).join('\n'));
    const sim = await simulator();
    sim.faults.push(simFaults.reset('after-accept', { route: 'submit' }));
    const argv = ['character-scenes', '--rows', 'rows.csv', '--out', 'out', '--cache-dir', 'cache', '--concurrency', '1'];
    const r1 = await batch(argv, { cwd: dir, sim });
    expect(r1.code).toBe(EXIT.failed);
    const failed = (await readSummary(dir)).rows.find((r) => r.status === 'failed')!;
    expect(failed).toMatchObject({ id: 'r1', error: { code: 'unknown-submission' } });
    expect(sim.counts.submits).toBe(3);

    const r2 = await batch(argv, { cwd: dir, sim });
    expect(r2.code).toBe(EXIT.usage);
    expect(r2.stderr).toMatch(/rows\.csv:2 \(node gen\): .*--repay \S+/);
    expect(sim.counts.submits).toBe(3);

    const r3 = await batch([...argv, '--skip-invalid'], { cwd: dir, sim });
    expect(r3.code).toBe(EXIT.ok);
    expect((await readSummary(dir)).rows.map((r) => r.status)).toEqual(['skipped', 'succeeded', 'succeeded']);
    expect(sim.counts.submits).toBe(3);

    const r4 = await batch([...argv, '--repay', 'all'], { cwd: dir, sim });
    expect(r4.code, r4.stderr).toBe(EXIT.ok);
    expect(sim.counts.submits).toBe(4);
  });

  it('draws one live bar on a terminal instead of a line per row', async () => {
    const dir = await tempDir();
    await writePng(dir, 'a.png');
    await writeFile(join(dir, 'rows.csv'), ROWS);
    const sim = await simulator();
    const drawn: string[] = [];
    const r = await batch(['character-scenes', '--rows', 'rows.csv', '--out', 'out', '--max-spend', '1'], {
      cwd: dir,
      sim,
      tty: { write: (t) => drawn.push(t), columns: 200 },
    });
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(r.stderr).not.toMatch(/: started/);
    const last = drawn.filter((t) => t.includes('done ·')).at(-1)!;
    expect(last.startsWith('\r\u001b[2K')).toBe(true);
    expect(last.slice(5)).toMatch(/^\[#{20}\] 8\/8 done · 0 failed · 0 running · 0 queued · 16 images · \$0\.64 spent of \$0\.64 max \(cap \$1\.00\)/);
  });
});
