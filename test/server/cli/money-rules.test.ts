import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { boundedPollPolicy, fixedPollPolicy } from '../../../app/api/poll-policy';
import { RunTimeModel } from '../../../app/api/run-time-model';
import { EXIT } from '../../../app/server/cli/run-cli';
import { connectSimulator, simFaults } from '../../../app/server/simulator';
import { pngWithBrokenIdat } from '../../api/test-images';
import { spawnSimulator, type SimulatorProcess } from '../simulator-process';
import { cli, fakeFetch, simulator, tempDir, writePng } from './cli-fixtures';
import { ledgerRecords, readManifest, spawnCli } from './cli-process';
import { ledgerOnSimulator } from './ledger-on-simulator';

/**
 * Issue 8, the CLI/API side: each item reproduced against the simulator's fault switches. Each
 * test failed on the old behaviour (request journal, one-shot downloads, header-only checks,
 * SIGINT only) and passes on the job ledger. Covered elsewhere:
 * - item 7 (template sample values are paid for): test/server/cli/template-sets.test.ts,
 *   "runCli run with sample values left in";
 * - item 9 (completion detected late): the polling bench, test/bench/polling-bench.test.ts
 *   (plus the end-to-end check below);
 * - item 11 (deep nesting, proxy redaction, body cap): test/graph/load-workflow.test.ts,
 *   test/server/proxy.test.ts, test/server/body-budget.test.ts.
 */

const pngs = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith('.png')).sort();

const processes: SimulatorProcess[] = [];
afterEach(async () => {
  for (const p of processes.splice(0)) await p.stop();
});

/** A simulator in its own process (so a CLI process can be killed and run again against it). */
async function separateSimulator(args: string[]) {
  const p = await spawnSimulator(['--port', '0', '--token', 'tok', '--output-scale', '0.05', ...args]);
  processes.push(p);
  return { url: p.url, apiBaseUrl: `${p.url}/v1`, token: 'tok', remote: connectSimulator(p.url) };
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('issue 8 money rules (CLI and API side)', () => {
  it('1. killed during a submit: the next run does not pay again, and --repay pays once more', async () => {
    const sim = await separateSimulator(['--time-scale', '0.05']);
    const dir = await tempDir();
    const ref = await writePng(dir);
    const argv = ['edit', '--image', ref, '--prompt', 'Generate 2 images of a kite', '--max', '2', '--cache-dir', join(dir, 'cache'), '--out'];
    await sim.remote.push(simFaults.holdSubmit());

    const first = spawnCli([...argv, join(dir, 'a')], sim);
    await until(async () => ((await sim.remote.held()).length === 1 ? true : undefined), 'the held submit');
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    await sim.remote.release();
    const [intent] = await ledgerRecords(join(dir, 'cache'));
    expect(intent).toMatchObject({ state: 'intent' });
    expect(intent!.requestId).toBeUndefined();

    const second = spawnCli([...argv, join(dir, 'b')], sim);
    expect((await second.exited).code).toBe(EXIT.usage);
    expect(second.stderr()).toContain(`job ${intent!.jobId}`);
    expect(second.stderr()).toContain(`--repay ${intent!.jobId}`);
    expect(second.stderr()).toMatch(/Nothing was submitted/);
    expect((await sim.remote.submits()).submits).toHaveLength(1);
    expect(await ledgerRecords(join(dir, 'cache'))).toEqual([expect.objectContaining({ jobId: intent!.jobId, state: 'unknown-submission' })]);

    const third = spawnCli([...argv, join(dir, 'c'), '--repay', intent!.jobId], sim);
    expect((await third.exited).code, third.stderr()).toBe(EXIT.ok);
    const log = await sim.remote.submits();
    expect(log.submits).toHaveLength(2);
    expect(log.duplicates).toBe(1); // the same input, paid again by the user's explicit choice
    expect(await pngs(join(dir, 'c'))).toHaveLength(2);
    const records = await ledgerRecords(join(dir, 'cache'));
    expect(records.find((r) => r.jobId === intent!.jobId)).toMatchObject({ state: 'unknown-submission', supersededBy: expect.any(String) });
    expect(records.find((r) => r.jobId !== intent!.jobId)).toMatchObject({ state: 'stored', repayOf: intent!.jobId });
  }, 60_000);

  it('2. one failed download does not lose the other images, and a re-run fetches the missing one for free', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    const ref = await writePng(dir);
    sim.faults.push(simFaults.fileFails(2, 404, { times: 'always' }));
    const argv = ['edit', '--image', ref, '--prompt', 'Generate 4 images of a bridge', '--max', '4', '--cache-dir', 'cache', '--out'];

    const first = await cli([...argv, 'a'], { cwd: dir, sim });
    expect(first.code, first.stderr).toBe(EXIT.ok);
    expect(await pngs(join(dir, 'a'))).toHaveLength(3);
    const job = sim.state.jobs()[0]!;
    const lostUrl = `${sim.url}/files/${job.id}/3.png`;
    const m = await readManifest(join(dir, 'a'));
    expect(m.requests[0]).toMatchObject({ state: 'partial', partial: true, billing: 'billed', missing: [{ index: 2, url: lostUrl }] });
    expect(first.stderr).toContain(lostUrl);
    expect(first.stderr).toMatch(/Run again with the same --cache-dir to fetch them for free/);

    sim.faults.clear();
    const second = await cli([...argv, 'b'], { cwd: dir, sim });
    expect(second.code, second.stderr).toBe(EXIT.ok);
    expect(sim.counts.submits).toBe(1);
    expect(await pngs(join(dir, 'b'))).toHaveLength(4);
    expect((await readManifest(join(dir, 'b'))).requests[0]).toMatchObject({ requestId: job.id, state: 'stored', reused: true });
  });

  it('3. a transient read error does not abandon a billed job: 200 with error_code, the state word "starting", 429 with Retry-After 90 s', async () => {
    // A long job (200 s), so it is still running once the faulted reads are over and says "starting".
    const { clock, sim, ledger, generate } = await ledgerOnSimulator({
      sim: { baseMs: 200_000 },
      policy: () => boundedPollPolicy(RunTimeModel.from(undefined)),
    });
    const said: string[] = [];
    ledger.subscribe((u) => u.message && said.push(u.message));
    const reads = ['status', 'result'] as const;
    sim.faults.push(
      // Scripted faults strike first, one per read; then the job's own reads say "starting" twice.
      simFaults.unknownStatus('starting', { polls: 2, on: 'both' }),
      simFaults.errorCode200(500001, { route: [...reads] }),
      simFaults.retryAfter(90, 'delta-seconds', { route: [...reads] }),
      simFaults.serverError(503, { route: [...reads] }),
      simFaults.reset('after-body', { route: [...reads] }),
    );
    const result = await generate('Generate 2 images of a harbour');
    expect(result.images).toHaveLength(2);
    expect(result.missing).toEqual([]);
    expect(sim.counts.submits).toBe(1);
    expect(clock.sleeps).toContain(90_000);
    expect(said.join('\n')).toMatch(/error_code 500001/);
    expect(said.join('\n')).toMatch(/HTTP 429 .*next try in 90 s/);
    expect(said.join('\n')).toMatch(/A read got no answer \(network\)/);
    expect(said.join('\n')).toMatch(/state this app does not know \("starting"\)/);
    expect((await ledger.get(result.jobId))!.state).toBe('stored');
  });

  it('4. SIGTERM and SIGHUP stop like Ctrl-C, and Ctrl-C during a slow submit still learns and cancels its request', async () => {
    // Jobs wait ten minutes in the queue: each stop finds its job queued, so it can be cancelled.
    const sim = await separateSimulator(['--queue-ms', '600000']);
    const dir = await tempDir();
    const ref = await writePng(dir);
    const run = (name: string, prompt: string) =>
      spawnCli(['edit', '--image', ref, '--prompt', prompt, '--max', '2', '--cache-dir', join(dir, name), '--out', join(dir, name, 'out')], sim);

    for (const [signal, code] of [
      ['SIGTERM', 143],
      ['SIGHUP', 129],
    ] as const) {
      const p = run(signal, `Generate 2 images stopped by ${signal}`);
      await p.waitFor(/queued, request/);
      p.child.kill(signal);
      expect((await p.exited).code, p.stderr()).toBe(code);
      const request = (await readManifest(join(dir, signal, 'out'))).requests[0]!;
      expect(request).toMatchObject({ state: 'cancelled', billing: 'not-billed', requestId: expect.any(String) });
      expect(p.stderr()).toContain(`request ${request.requestId}: cancelled at RunComfy before it started — not billed`);
      expect((await sim.remote.jobs()).find((j) => j.request_id === request.requestId)!.phase).toBe('cancelled');
    }

    await sim.remote.push(simFaults.holdSubmit());
    const slow = run('held', 'Generate 2 images with a slow submit');
    const [held] = await until(async () => {
      const h = await sim.remote.held();
      return h.length ? h : undefined;
    }, 'the held submit');
    slow.child.kill('SIGINT');
    await slow.waitFor(/Stopping \(SIGINT\)/);
    await sim.remote.release();
    expect((await slow.exited).code, slow.stderr()).toBe(130);
    expect(slow.stderr()).toContain(`request ${held!.requestId}`);
    expect((await readManifest(join(dir, 'held', 'out'))).requests[0]).toMatchObject({ requestId: held!.requestId, state: 'cancelled' });
    expect((await sim.remote.jobs()).find((j) => j.request_id === held!.requestId)!.phase).toBe('cancelled');

    await sim.remote.push(simFaults.holdSubmit());
    const impatient = run('twice', 'Generate 2 images, stopped twice');
    await until(async () => ((await sim.remote.held()).length ? true : undefined), 'the second held submit');
    impatient.child.kill('SIGINT');
    await impatient.waitFor(/Stopping \(SIGINT\)/);
    impatient.child.kill('SIGINT');
    expect((await impatient.exited).code).toBe(130);
    expect(impatient.stderr()).toMatch(/SIGINT again: quitting now/);
    // The intent was on disk before the submit left: the next run reports it instead of paying again.
    expect(await ledgerRecords(join(dir, 'twice'))).toEqual([expect.objectContaining({ state: 'intent' })]);
  }, 60_000);

  it('5. expired outputs are not paid for again without asking', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    const ref = await writePng(dir);
    sim.faults.push(simFaults.expireFiles({ route: 'file' }));
    const argv = ['edit', '--image', ref, '--prompt', 'Generate 2 images of a glacier', '--max', '2', '--cache-dir', 'cache', '--out'];

    const first = await cli([...argv, 'a'], { cwd: dir, sim });
    expect(first.code).toBe(EXIT.failed);
    const request = (await readManifest(join(dir, 'a'))).requests[0]!;
    expect(request).toMatchObject({ state: 'outputs-expired', billing: 'billed', requestId: sim.state.jobs()[0]!.id });
    expect(first.stderr).toContain(`--repay ${request.jobId}`);
    expect(first.stderr).not.toMatch(/fetch them for free/);

    const second = await cli([...argv, 'b'], { cwd: dir, sim });
    expect(second.code).toBe(EXIT.usage);
    expect(second.stderr).toMatch(/its images expired before they could be fetched/);
    expect(second.stderr).toContain(`--repay ${request.jobId}`);
    expect(sim.counts.submits).toBe(1);

    const third = await cli([...argv, 'c', '--repay', request.jobId], { cwd: dir, sim });
    expect(third.code, third.stderr).toBe(EXIT.ok);
    expect(sim.counts.submits).toBe(2);
    expect(await pngs(join(dir, 'c'))).toHaveLength(2);
  });

  it('8. checks before paying read the whole image: a corrupt PNG body and an https reference that answers 404 are refused', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    await writeFile(join(dir, 'broken.png'), pngWithBrokenIdat(48, 32));
    const broken = await cli(['edit', '--image', 'broken.png', '--prompt', 'Generate 2 images', '--max', '2', '--out', 'a'], { cwd: dir, sim });
    expect(broken.code).not.toBe(EXIT.ok);
    expect(broken.stderr).toMatch(/Nothing was submitted/);
    expect(broken.stderr).toContain('broken.png');

    const gone = 'https://example.com/gone.png';
    const missing = await cli(['edit', '--image', gone, '--prompt', 'Generate 2 images', '--max', '2', '--out', 'b'], {
      cwd: dir,
      sim,
      fetch: fakeFetch(new Map([[gone, 404]])),
    });
    expect(missing.code).not.toBe(EXIT.ok);
    expect(missing.stderr).toMatch(/Nothing was submitted/);
    expect(missing.stderr).toContain(`${gone} could not be fetched (Could not read ${gone}: HTTP 404)`);
    expect(sim.counts.submits).toBe(0);
  });

  it('9. completion is detected within 3 s: a 12.7 s job through the ledger and the bounded poll policy', async () => {
    const { sim, store, generate } = await ledgerOnSimulator({
      sim: { queueDelayMs: 0, baseMs: 12_700, perImageMs: 0 },
      policy: () => boundedPollPolicy(RunTimeModel.from(undefined)),
    });
    const result = await generate('Generate 1 image of a lighthouse', 1);
    const finished = sim.state.job(result.requestId)!.finishedAt!;
    const detected = (await store.get(result.jobId))!.finishedAt!;
    expect(finished - sim.state.job(result.requestId)!.submittedAt).toBe(12_700);
    expect(detected - finished).toBeGreaterThanOrEqual(0);
    expect(detected - finished).toBeLessThanOrEqual(3_000);
  });

  it('9. (control) a fixed 6 s poll misses the same bound, so the check above can fail', async () => {
    const { sim, store, generate } = await ledgerOnSimulator({ sim: { queueDelayMs: 0, baseMs: 12_700, perImageMs: 0 }, policy: () => fixedPollPolicy(6_000) });
    const result = await generate('Generate 1 image of a lighthouse', 1);
    expect((await store.get(result.jobId))!.finishedAt! - sim.state.job(result.requestId)!.finishedAt!).toBeGreaterThan(3_000);
  });
});
