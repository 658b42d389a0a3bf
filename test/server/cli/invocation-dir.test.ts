import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultCacheDir } from '../../../app/server/cli/cli-services';
import { invocationDir } from '../../../app/server/cli/invocation-dir';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('invocationDir', () => {
  it("is npm's INIT_CWD under the cli script, so relative paths are the user's, not the package folder's", () => {
    expect(invocationDir({ npm_lifecycle_event: 'cli', INIT_CWD: '/home/me/shots' }, '/opt/sequence-studio')).toBe('/home/me/shots');
  });

  it('is the process cwd anywhere else: outside npm, under another script (an inherited INIT_CWD), or when INIT_CWD is not absolute', () => {
    expect(invocationDir({}, '/work/here')).toBe('/work/here');
    expect(invocationDir({ npm_lifecycle_event: 'test', INIT_CWD: '/repo' }, '/tmp/case')).toBe('/tmp/case');
    expect(invocationDir({ npm_lifecycle_event: 'cli', INIT_CWD: 'relative/dir' }, '/work/here')).toBe('/work/here');
    expect(invocationDir({ npm_lifecycle_event: 'cli', INIT_CWD: '' }, '/work/here')).toBe('/work/here');
  });
});

describe('defaultCacheDir', () => {
  it('takes a relative SEQUENCE_STUDIO_CACHE from the invocation folder, an absolute one as it is', () => {
    expect(defaultCacheDir({ SEQUENCE_STUDIO_CACHE: '.cache' }, '/home/me/project')).toBe('/home/me/project/.cache');
    expect(defaultCacheDir({ SEQUENCE_STUDIO_CACHE: ' /var/cache/ss ' }, '/home/me/project')).toBe('/var/cache/ss');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x' }, '/home/me/project')).toBe('/x/sequence-studio');
  });
});

describe('npm --prefix <repo> run cli from another folder', () => {
  it('reads the rows and writes the outputs in the folder the user ran it from', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cli-invocation-'));
    dirs.push(dir);
    const png = encode({ width: 48, height: 32, data: new Uint8Array(48 * 32 * 3).fill(90), channels: 3, depth: 8 });
    await writeFile(join(dir, 'fox.png'), png);
    await writeFile(join(dir, 'rows.csv'), 'id,character,scenes,maxImages\nfox,fox.png,"Generate 1 image: in a forest",1\n');
    const env: NodeJS.ProcessEnv = { ...process.env };
    // This test itself runs under `npm test`: the child npm must set its own script's name and folder.
    delete env.npm_lifecycle_event;
    delete env.INIT_CWD;
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const child = spawn(
      npm,
      ['--prefix', process.cwd(), 'run', '-s', 'cli', '--', 'batch', 'character-scenes', '--rows', 'rows.csv', '--out', 'out', '--simulate', '--json'],
      {
        cwd: dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, err).toBe(0);
    const summary = JSON.parse(await readFile(join(dir, 'out', 'batch.json'), 'utf8')) as { rows: { id: string; status: string }[] };
    expect(summary.rows.map((r) => [r.id, r.status])).toEqual([['fox', 'succeeded']]);
    expect(JSON.parse(out)).toMatchObject({ rows: [{ id: 'fox', status: 'succeeded' }] });
  });
});
