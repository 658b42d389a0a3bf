import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuBetween, cpuByKind, kindOfCommand } from './process-cpu';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A fake /proc: per pid its command name, parent, command line and utime/stime in ticks (10 ms). */
async function fakeProc(procs: { pid: number; comm: string; ppid: number; cmdline: string[]; utime: number; stime: number }[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-proc-'));
  dirs.push(dir);
  for (const p of procs) {
    await mkdir(join(dir, String(p.pid)));
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
    await writeFile(join(dir, String(p.pid), 'stat'), `${p.pid} (${p.comm}) S ${p.ppid} 1 1 0 -1 4194304 10 0 0 0 ${p.utime} ${p.stime} 0 0 20 0 1 0\n`);
    await writeFile(join(dir, String(p.pid), 'cmdline'), p.cmdline.join('\0') + '\0');
  }
  await mkdir(join(dir, 'self'));
  await mkdir(join(dir, '999')); // a process that ended between the listing and the read: no files
  await writeFile(join(dir, 'stat'), 'cpu 1 2 3\n');
  return dir;
}

describe('kindOfCommand', () => {
  it('names queue workers, the simulator and PostgreSQL (postmaster and backends), and nothing else', () => {
    expect(kindOfCommand('/usr/bin/node\0--import\0tsx\0/w/test/bench/queue-bench-worker.ts\0{}\0')).toBe('workers');
    expect(kindOfCommand(['/usr/bin/node', '--import', 'tsx', 'app/server/simulator-main.ts', '--port', '0'].join('\0'))).toBe('simulator');
    expect(kindOfCommand('/usr/lib/postgresql/17/bin/postgres\0-D\0/tmp/pg\0')).toBe('postgres');
    expect(kindOfCommand('postgres: bench bench_0 127.0.0.1(40000) idle')).toBe('postgres');
    expect(kindOfCommand('postgres: checkpointer ')).toBe('postgres');
    expect(kindOfCommand('/usr/bin/node\0/w/node_modules/.bin/postgres-migrate\0')).toBeUndefined();
    expect(kindOfCommand('bash\0-c\0ls\0')).toBeUndefined();
  });
});

describe('cpuByKind', () => {
  it('sums each kind, children by their nearest recognised ancestor, the coordinator by pid', async () => {
    const proc = await fakeProc([
      { pid: 1, comm: 'init', ppid: 0, cmdline: ['/sbin/init'], utime: 5, stime: 5 },
      { pid: 100, comm: 'node', ppid: 1, cmdline: ['/usr/bin/node', '--import', 'tsx', 'test/bench/batch-bench-child.ts', '{}'], utime: 30, stime: 10 },
      { pid: 101, comm: 'esbuild', ppid: 100, cmdline: ['/w/node_modules/esbuild/bin/esbuild', '--service'], utime: 2, stime: 1 },
      { pid: 200, comm: 'node', ppid: 1, cmdline: ['/usr/bin/node', '--import', 'tsx', '/w/test/bench/queue-bench-worker.ts', '{}'], utime: 50, stime: 20 },
      { pid: 201, comm: 'esbuild', ppid: 200, cmdline: ['esbuild', '--service'], utime: 1, stime: 0 },
      { pid: 210, comm: 'node', ppid: 1, cmdline: ['/usr/bin/node', '--import', 'tsx', '/w/test/bench/queue-bench-worker.ts', '{}'], utime: 40, stime: 0 },
      { pid: 300, comm: 'node', ppid: 1, cmdline: ['/usr/bin/node', '--import', 'tsx', 'app/server/simulator-main.ts'], utime: 7, stime: 3 },
      { pid: 400, comm: 'postgres', ppid: 1, cmdline: ['/usr/lib/postgresql/17/bin/postgres', '-D', '/tmp/pg'], utime: 1, stime: 1 },
      { pid: 401, comm: 'postgres', ppid: 400, cmdline: ['postgres: bench bench_0 127.0.0.1(5555) idle'], utime: 8, stime: 2 },
      // A command name with a space and a parenthesis: the fields are read after the last ')'.
      { pid: 500, comm: 'odd) (name', ppid: 1, cmdline: ['bash'], utime: 3, stime: 0 },
    ]);
    expect(cpuByKind(100, proc)).toEqual({ coordinator: 430, workers: 1110, simulator: 100, postgres: 120, other: 130 });
  });

  it('is undefined without a /proc, and reads this process as the coordinator on Linux', () => {
    expect(cpuByKind(1, join(tmpdir(), 'no-such-proc-dir-here'))).toBeUndefined();
    const mine = cpuByKind(process.pid);
    if (process.platform === 'linux') expect(mine!.coordinator).toBeGreaterThan(0);
  });
});

describe('cpuBetween', () => {
  it('subtracts kind by kind', () => {
    const before = { coordinator: 10, workers: 20, simulator: 30, postgres: 40, other: 50 };
    const after = { coordinator: 15, workers: 120, simulator: 31, postgres: 90, other: 45 };
    expect(cpuBetween(before, after)).toEqual({ coordinator: 5, workers: 100, simulator: 1, postgres: 50, other: -5 });
  });
});
