import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { processesOf, startPgCluster } from './pg-cluster';

const uidOf = (pid: number) => Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

describe('startPgCluster', () => {
  it('starts a private server on loopback as an unprivileged user, and leaves nothing behind when stopped', async () => {
    const cluster = await startPgCluster();
    try {
      console.log(`test PostgreSQL started in ${cluster.timings.totalMs} ms (${JSON.stringify(cluster.timings)})`);
      const client = new pg.Client({ connectionString: cluster.url });
      await client.connect();
      const { rows } = await client.query(
        "SELECT current_database() AS db, current_setting('listen_addresses') AS listen, current_setting('fsync') AS fsync, current_setting('data_directory') AS data",
      );
      await client.end();
      expect(rows[0]).toEqual({ db: 'studio_test', listen: '127.0.0.1', fsync: 'off', data: cluster.dataDir });
      expect(cluster.url).toBe(`postgres://postgres@127.0.0.1:${cluster.port}/studio_test`);
      expect(uidOf(cluster.pid)).not.toBe(0);
      expect(statSync(cluster.dataDir).uid).toBe(uidOf(cluster.pid));
      expect(processesOf(cluster.pid).length).toBeGreaterThan(1);
    } finally {
      await cluster.stop();
    }
    expect(processesOf(cluster.pid)).toEqual([]);
    expect(existsSync(cluster.dir)).toBe(false);
    await cluster.stop();
  });

  it('runs two clusters side by side on different ports', async () => {
    const [a, b] = await Promise.all([startPgCluster({ database: 'one' }), startPgCluster({ database: 'two' })]);
    try {
      expect(a.port).not.toBe(b.port);
      expect([a.url.endsWith('/one'), b.url.endsWith('/two')]).toEqual([true, true]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect([...processesOf(a.pid), ...processesOf(b.pid)]).toEqual([]);
  });

  it('stops the cluster and removes its directory when the process that started it is killed with -9', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'cluster-child.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const started = await new Promise<{ pid: number; dir: string }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(JSON.parse(out) as { pid: number; dir: string });
      });
      child.once('exit', (code) => reject(new Error(`the child exited (${code}) before starting its cluster`)));
    });
    expect(processesOf(started.pid).length).toBeGreaterThan(0);
    child.kill('SIGKILL');
    // The watchdog polls every 250 ms; allow a loaded machine up to 20 s.
    for (let i = 0; i < 200 && (processesOf(started.pid).length > 0 || existsSync(started.dir)); i++) await new Promise((r) => setTimeout(r, 100));
    expect(processesOf(started.pid)).toEqual([]);
    expect(existsSync(started.dir)).toBe(false);
  });

  it('refuses a database name it would have to quote', async () => {
    await expect(startPgCluster({ database: 'Robert"); DROP' })).rejects.toThrow(/must be lowercase letters, digits and _/);
  });
});
