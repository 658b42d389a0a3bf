import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileLedgerStore, LedgerLockedError } from '../../app/server/file-ledger-store';

const ENDPOINT = 'https://model-api.runcomfy.net/v1';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A living process other than this one, and its kernel start time (Linux). */
async function otherProcess(): Promise<{ child: ChildProcess; started: string }> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  cleanups.push(async () => child.kill('SIGKILL'));
  const stat = await readFile(`/proc/${child.pid}/stat`, 'utf8');
  return { child, started: stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]! };
}

async function cacheDirLockedBy(lock: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ledger-lock-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'ledger'), { recursive: true });
  await writeFile(join(dir, 'ledger', '.lock'), JSON.stringify({ host: hostname(), at: new Date().toISOString(), ...lock }));
  return dir;
}

describe.runIf(process.platform === 'linux')('FileLedgerStore lock', () => {
  it('refuses a cache dir whose lock holder still runs', async () => {
    const { child, started } = await otherProcess();
    const dir = await cacheDirLockedBy({ pid: child.pid, started });
    await expect(FileLedgerStore.open(dir, { endpoint: ENDPOINT })).rejects.toBeInstanceOf(LedgerLockedError);
  });

  it('takes over a lock whose pid now belongs to another process (the pid was reused)', async () => {
    const { child } = await otherProcess();
    const dir = await cacheDirLockedBy({ pid: child.pid, started: '1' });
    const { store } = await FileLedgerStore.open(dir, { endpoint: ENDPOINT });
    expect(JSON.parse(await readFile(join(dir, 'ledger', '.lock'), 'utf8'))).toMatchObject({ pid: process.pid, started: expect.any(String) });
    await store.close();
  });
});
