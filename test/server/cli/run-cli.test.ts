import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zJobRecord, type JobRecord } from '../../../app/ledger';
import { zManifest, type Manifest } from '../../../app/server/cli/manifest';
import { EXIT } from '../../../app/server/cli/run-cli';
import { simFaults } from '../../../app/server/simulator';
import { builtinTemplates } from '../../../app/templates';
import { cli, simulator, tempDir, writePng } from './cli-fixtures';
import { graph } from '../../fixtures/graph-builder';
import { sampleSets } from './sample-sets';

const manifestOf = async (dir: string): Promise<Manifest> => zManifest.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
const ledgerRecords = async (cacheDir: string): Promise<JobRecord[]> => {
  const dir = join(cacheDir, 'ledger');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  return Promise.all(files.map(async (f) => zJobRecord.parse(JSON.parse(await readFile(join(dir, f), 'utf8')))));
};
const pngs = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith('.png')).sort();

describe('runCli edit', () => {
  it('writes every frame and a manifest when the job succeeds', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    const ref = await writePng(dir);
    const r = await cli(['edit', '--image', ref, '--prompt', 'Generate 3 images of a fox in the snow', '--max', '3', '--out', 'out'], { cwd: dir, sim });
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(await pngs(join(dir, 'out'))).toEqual(['edit_00001.png', 'edit_00002.png', 'edit_00003.png']);
    const m = await manifestOf(join(dir, 'out'));
    expect(m.status).toBe('succeeded');
    expect(m.requests).toHaveLength(1);
    expect(m.requests[0]).toMatchObject({
      nodeId: 'seedream',
      jobId: expect.any(String),
      requestId: sim.state.jobs()[0]!.id,
      state: 'stored',
      billing: 'billed',
      costUsd: 0.12,
      inputs: { references: 1, maxImages: 3 },
    });
    expect(m.requests[0]!.reused).toBeUndefined();
    expect(m.requests[0]!.missing).toBeUndefined();
    expect(m.requests[0]!.outputUrls).toHaveLength(3);
    expect(m.files.map((f) => f.file)).toEqual(['edit_00001.png', 'edit_00002.png', 'edit_00003.png']);
    expect(sim.counts.submits).toBe(1);
    expect(r.stderr).toMatch(/\[seedream\] done in/);
  });

  it('prints the manifest on stdout with --json', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    const ref = await writePng(dir);
    const r = await cli(['edit', '--image', ref, '--prompt', 'Generate 2 images', '--max', '2', '--out', 'o', '--json'], { cwd: dir, sim });
    expect(r.code).toBe(EXIT.ok);
    expect(zManifest.parse(JSON.parse(r.stdout)).files).toHaveLength(2);
  });

  it('stops before any submit when neither a token nor --simulate is given', async () => {
    const dir = await tempDir();
    const r = await cli(['edit', '--image', 'x.png', '--prompt', 'p', '--out', 'o'], { cwd: dir, env: {} });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/RUNCOMFY_API_TOKEN/);
    expect(r.stderr).toMatch(/--simulate/);
  });

  it('runs against the built-in simulator with --simulate', async () => {
    const dir = await tempDir();
    const ref = await writePng(dir);
    const r = await cli(['edit', '--image', ref, '--prompt', 'Generate 2 images of a boat', '--max', '2', '--simulate', '--out', 'o'], { cwd: dir, env: {} });
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect((await manifestOf(join(dir, 'o'))).mode).toBe('simulator');
    expect(await pngs(join(dir, 'o'))).toHaveLength(2);
  });

  it.each([
    [['edit', '--prompt', 'p', '--out', 'o'], /at least one --image/],
    [['edit', '--image', 'a.png', '--out', 'o'], /--prompt/],
    [['edit', '--image', 'a.png', '--prompt', 'p'], /--out/],
    [['edit', '--image', 'a.png', '--prompt', 'p', '--out', 'o', '--max', '16'], /--max must be at most 15/],
    [['edit', '--image', 'a.png', '--prompt', 'p', '--out', 'o', '--max', '2.5'], /whole number/],
    [['edit', '--image', 'a.png', '--prompt', 'p', '--out', 'o', '--resolution', '1024x1024'], /not one of/],
    [['edit', '--image', 'missing.png', '--prompt', 'p', '--out', 'o'], /Image file not found/],
    [['edit', '--image', 'http://example.com/a.png', '--prompt', 'p', '--out', 'o'], /must be https/],
    [['frobnicate', '--out', 'o'], /Unknown command/],
    [['edit', '--bogus'], /bogus/],
  ])('refuses %j with a clear message', async (argv, message) => {
    const [dir, sim] = [await tempDir(), await simulator()];
    const r = await cli(argv, { cwd: dir, sim });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(message);
    expect(sim.counts.submits).toBe(0);
  });

  it('refuses a file that is not an image by its content', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    await writeFile(join(dir, 'fake.png'), 'GIF89a not really');
    const r = await cli(['edit', '--image', 'fake.png', '--prompt', 'Generate 2 images', '--out', 'o'], { cwd: dir, sim });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/Not a PNG, JPEG or WebP/);
  });

  it('reports a failed job with its request id and exits non-zero', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    sim.faults.push(simFaults.jobFails({ code: 'content_policy', message: 'The prompt was refused' }));
    const ref = await writePng(dir);
    const r = await cli(['edit', '--image', ref, '--prompt', 'Generate 2 images', '--max', '2', '--out', 'o'], { cwd: dir, sim });
    expect(r.code).toBe(EXIT.failed);
    const m = await manifestOf(join(dir, 'o'));
    const node = m.nodes.find((n) => n.id === 'seedream')!;
    expect(node.status).toBe('failed');
    expect(node.error?.message).toMatch(/refused/);
    expect(node.error?.requestId).toBe(sim.state.jobs()[0]!.id);
    expect(m.requests[0]).toMatchObject({ state: 'failed', billing: 'unknown', requestId: sim.state.jobs()[0]!.id });
    expect(m.nodes.find((n) => n.id === 'save')!.status).toBe('skipped');
  });
});

describe('runCli run', () => {
  it('reuses cached results from --cache-dir: the second run submits nothing and reproduces the files', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    const first = await cli(['run', 'character-scenes', ...sampleSets('character-scenes'), '--cache-dir', 'cache', '--out', 'a'], { cwd: dir, sim });
    expect(first.code, first.stderr).toBe(EXIT.ok);
    expect(sim.counts.submits).toBe(1);
    const second = await cli(['run', 'character-scenes', ...sampleSets('character-scenes'), '--cache-dir', 'cache', '--out', 'b'], { cwd: dir, sim });
    expect(second.code, second.stderr).toBe(EXIT.ok);
    expect(sim.counts.submits).toBe(1);
    expect(second.stderr).toMatch(/\[gen\] cached/);
    const [a, b] = [await pngs(join(dir, 'a')), await pngs(join(dir, 'b'))];
    expect(b).toEqual(a);
    for (const f of a) expect(await readFile(join(dir, 'b', f))).toEqual(await readFile(join(dir, 'a', f)));
    const m = await manifestOf(join(dir, 'b'));
    expect(m.requests).toEqual([expect.objectContaining({ nodeId: 'gen', state: 'stored', reused: true })]);
    expect(m.totalCostUsd).toBeUndefined();
  });

  it('applies --set overrides, including a local file for an image param', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    await writePng(dir, 'me.png');
    const r = await cli(
      [
        'run',
        'character-scenes',
        '--set',
        'gen.maxImages=2',
        '--set',
        'gen.prompt=Generate 2 images of me at sea',
        '--set',
        'character.image=me.png',
        '--out',
        'o',
      ],
      { cwd: dir, sim },
    );
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(await pngs(join(dir, 'o'))).toHaveLength(2);
    const job = sim.state.jobs()[0]!;
    expect(job.input.sequential_image_generation_options).toBe(2);
    expect(job.input.images[0]).toMatch(/^data:image\/png;base64,/);
  });

  it.each([
    [['--set', 'nobody.x=1'], /no node "nobody"/],
    [['--set', 'gen.colour=red'], /no param "colour".*maxImages/],
    [['--set', 'gen.maxImages=99'], /gen\.maxImages=99/],
    [['--set', 'justtext'], /<node>\.<param>=<value>/],
  ])('refuses %j naming the node and param', async (sets, message) => {
    const [dir, sim] = [await tempDir(), await simulator()];
    const r = await cli(['run', 'character-scenes', ...sets, '--out', 'o'], { cwd: dir, sim });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(message);
    expect(sim.counts.submits).toBe(0);
  });

  it('explains an unknown template id and a broken workflow file', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    const unknown = await cli(['run', 'no-such-thing', '--out', 'o'], { cwd: dir, sim });
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toMatch(/Templates: storyboard/);
    await writeFile(join(dir, 'bad.json'), '{"schemaVersion": 2, "nodes": [');
    const bad = await cli(['run', 'bad.json', '--out', 'o'], { cwd: dir, sim });
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toMatch(/not valid JSON/);
  });

  it('reports every planning problem with its node, submits nothing and exits 2 (refused before paying)', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    const r = await cli(['run', 'character-scenes', ...sampleSets('character-scenes'), '--set', 'gen.prompt= ', '--out', 'o'], { cwd: dir, sim });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/error: \[gen\] .*prompt/i);
    expect((await manifestOf(join(dir, 'o'))).status).toBe('invalid');
    expect(sim.counts.submits).toBe(0);
  });

  it.each(builtinTemplates.map((t) => t.id))('runs the built-in template %s against the simulator', async (id) => {
    const [dir, sim] = [await tempDir(), await simulator()];
    const r = await cli(['run', id, ...sampleSets(id), '--out', 'o'], { cwd: dir, sim });
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const m = await manifestOf(join(dir, 'o'));
    expect(m.status).toBe('succeeded');
    expect(m.files.length).toBeGreaterThan(0);
    expect(sim.counts.submits).toBe(m.requests.length);
  });
});

describe('runCli interrupted', () => {
  it('cancels a queued job, keeps the manifest and exits 130', async () => {
    const [dir, sim] = [await tempDir(), await simulator()];
    sim.faults.push(simFaults.slowQueue(60_000 * 100)); // stays queued (time scale 0.01 → 60 s)
    const ref = await writePng(dir);
    const ac = new AbortController();
    const run = cli(['edit', '--image', ref, '--prompt', 'Generate 2 images', '--max', '2', '--out', 'o'], { cwd: dir, sim, signal: ac.signal });
    await waitFor(() => sim.counts.submits === 1 && sim.counts.requests.status + sim.counts.requests.result > 0);
    ac.abort();
    const r = await run;
    expect(r.code).toBe(EXIT.interrupted);
    const m = await manifestOf(join(dir, 'o'));
    expect(m.status).toBe('aborted');
    expect(m.requests[0]).toMatchObject({ state: 'cancelled', billing: 'not-billed', requestId: sim.state.jobs()[0]!.id });
    expect(sim.state.jobs()[0]!.phase).toBe('cancelled');
  });

  it('reports a running job as still running (billed) with its request id', async () => {
    const [dir, sim] = [await tempDir(), await simulator({ perImageMs: 6_000_000 })];
    const ref = await writePng(dir);
    const ac = new AbortController();
    const run = cli(['edit', '--image', ref, '--prompt', 'Generate 2 images', '--max', '2', '--out', 'o'], { cwd: dir, sim, signal: ac.signal });
    await waitFor(() => sim.state.jobs()[0]?.phase === 'running' && sim.counts.requests.status + sim.counts.requests.result > 0);
    ac.abort();
    const r = await run;
    expect(r.code).toBe(EXIT.interrupted);
    const id = sim.state.jobs()[0]!.id;
    expect(r.stderr).toContain(`request ${id} is still running at RunComfy — it will be billed`);
    expect((await manifestOf(join(dir, 'o'))).requests[0]).toMatchObject({ state: 'running', billing: 'billed', requestId: id });
  });
});

describe('runCli with --cache-dir after an interruption', () => {
  it('collects a job the interrupted run left running, without submitting it again', async () => {
    const [dir, sim] = [await tempDir(), await simulator({ perImageMs: 50_000 })];
    const ref = await writePng(dir);
    const argv = ['edit', '--image', ref, '--prompt', 'Generate 2 images', '--max', '2', '--cache-dir', 'cache', '--out'];
    const ac = new AbortController();
    const run = cli([...argv, 'a'], { cwd: dir, sim, signal: ac.signal });
    await waitFor(() => sim.state.jobs()[0]?.phase === 'running' && sim.counts.requests.status + sim.counts.requests.result > 0);
    ac.abort();
    const interrupted = await run;
    expect(interrupted.code).toBe(EXIT.interrupted);
    expect(interrupted.stderr).toMatch(/Run again with the same --cache-dir/);
    const id = sim.state.jobs()[0]!.id;
    const left = await ledgerRecords(join(dir, 'cache'));
    expect(left).toEqual([expect.objectContaining({ requestId: id, state: 'running' })]);

    const again = await cli([...argv, 'b'], { cwd: dir, sim });
    expect(again.code, again.stderr).toBe(EXIT.ok);
    expect(again.stderr).toContain(`collecting earlier request ${id} (running); nothing is submitted again`);
    expect(sim.counts.submits).toBe(1);
    expect(await pngs(join(dir, 'b'))).toHaveLength(2);
    expect(await ledgerRecords(join(dir, 'cache'))).toEqual([expect.objectContaining({ requestId: id, state: 'stored', partial: false })]);
  });
});

describe('runCli blocked by an earlier unknown submission', () => {
  it('still collects the jobs an interrupted run left running before it exits 2, and writes a blocked manifest', async () => {
    const [dir, sim] = [await tempDir(), await simulator({ perImageMs: 50_000 })];
    await writePng(dir, 'ref.png');
    const wf = graph({ name: 'two' })
      .node('ref', 'image.load')
      .node('a', 'seedream.edit-sequential', { prompt: 'Generate 2 images of a', maxImages: 2 })
      .node('b', 'seedream.edit-sequential', { prompt: 'Generate 2 images of b', maxImages: 2 })
      .node('saveA', 'image.save', { prefix: 'a' })
      .node('saveB', 'image.save', { prefix: 'b' })
      .edge('ref.image', 'a.images', { order: 0 })
      .edge('ref.image', 'b.images', { order: 0 })
      .edge('a.images', 'saveA.images')
      .edge('b.images', 'saveB.images')
      .build();
    await writeFile(join(dir, 'two.json'), JSON.stringify(wf));
    const argv = ['run', 'two.json', '--set', 'ref.image=ref.png', '--concurrency', '1', '--cache-dir', 'cache', '--out'];
    // The first submit (node a) is created but its answer lost; b then runs long, and the run is stopped.
    sim.faults.push({ kind: 'http', status: 502, phase: 'after-accept', route: 'submit' });
    const ac = new AbortController();
    const first = cli([...argv, 'o1'], { cwd: dir, sim, signal: ac.signal });
    await waitFor(() => sim.state.jobs().some((j) => j.phase === 'running') && sim.counts.requests.status + sim.counts.requests.result > 0);
    ac.abort();
    expect((await first).code).toBe(EXIT.interrupted);
    const [lostA, runningB] = [sim.state.jobs()[0]!, sim.state.jobs()[1]!];

    const second = await cli([...argv, 'o2'], { cwd: dir, sim });
    expect(second.code, second.stderr).toBe(EXIT.usage);
    expect(second.stderr).toMatch(/may have been created and billed: its reply never arrived/);
    expect(second.stderr).toContain(`earlier request ${runningB.id} collected`);
    expect(sim.counts.submits).toBe(2);
    const records = await ledgerRecords(join(dir, 'cache'));
    expect(records.find((r) => r.nodeId === 'b')).toMatchObject({ requestId: runningB.id, state: 'stored', partial: false });
    expect(records.find((r) => r.nodeId === 'a')).toMatchObject({ state: 'unknown-submission' });
    expect(records.find((r) => r.nodeId === 'a')!.requestId).toBeUndefined();
    const m = await manifestOf(join(dir, 'o2'));
    expect(m.status).toBe('blocked');
    expect(m.requests).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ nodeId: 'a', state: 'unknown-submission', billing: 'may-be-billed' }),
        expect.objectContaining({ nodeId: 'b', requestId: runningB.id, state: 'stored' }),
      ]),
    );
    expect(lostA.phase).not.toBe('cancelled');
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
